/// The few text operations the Lambda side needs that Foundation's `NSString` bridge used to give (the bootstrap links
/// FoundationEssentials only, which has no `String(format:)` nor `trimmingCharacters(in:)`): one place, on the standard
/// library.
public enum TextFormat {
    /// `value` with exactly `digits` digits after the point, rounded half away from zero ("%.{digits}f" for every value
    /// whose scaled magnitude stays under 2⁵³; beyond it, or not finite, Swift's own shortest form).
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        let digits = min(max(digits, 0), 15)
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard value.isFinite, abs(scaled) < 9.007_199_254_740_992e15 else { return "\(value)" }
        let units = Int(scaled)
        let negative = units < 0 || (units == 0 && value.sign == .minus && scaled != 0)
        let magnitude = String(units.magnitude)
        guard digits > 0 else { return (negative ? "-" : "") + magnitude }
        let padded = String(repeating: "0", count: max(0, digits + 1 - magnitude.count)) + magnitude
        let cut = padded.index(padded.endIndex, offsetBy: -digits)
        return (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }

    /// `value` in decimal, left-padded with zeros to `width` digits ("%0{width}d").
    public static func zeroPadded(_ value: Int, width: Int) -> String {
        let text = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `value` in upper-case hexadecimal, left-padded with zeros to `width` digits ("%0{width}X").
    public static func hex(_ value: UInt32, width: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space (spaces, tabs, line breaks).
    public func trimmed() -> String { trimmed { $0.isWhitespace } }

    /// The text without leading and trailing characters for which `drop` holds.
    public func trimmed(while drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }
}
