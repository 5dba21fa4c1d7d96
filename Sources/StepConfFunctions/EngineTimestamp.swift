/// Writes a time in the format a Step Functions engine writes `$$.State.EnteredTime` in, learnt from one
/// sample, so that a Choice state can compare the two as strings: ISO 8601 times in UTC with the same
/// fraction digits and zone suffix sort as they fall. AWS writes `2026-11-30T16:00:00.123Z`; moto writes
/// `2026-11-30T16:00:00.123456+00:00`. Only UTC samples are followed (another offset would not sort).
public struct EngineTimestamp: Sendable, Hashable {
    /// Digits after the seconds' point (0: none).
    public let fractionDigits: Int
    /// `Z` or `+00:00`.
    public let suffix: String

    /// The format of `sample`, or nil when it is not a UTC ISO 8601 time with seconds.
    public init?(sample: String) {
        let bytes = Array(sample.utf8)
        // YYYY-MM-DDTHH:MM:SS is 19 bytes.
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        var at = 19
        var digits = 0
        if bytes[at] == UInt8(ascii: ".") {
            at += 1
            while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") {
                at += 1
                digits += 1
            }
            guard digits > 0, digits <= 9 else { return nil }
        }
        let rest = String(decoding: bytes[at...], as: UTF8.self)
        guard rest == "Z" || rest == "+00:00" else { return nil }
        fractionDigits = digits
        suffix = rest
    }

    /// `unixSeconds` in this format, the fraction truncated (never later than the time itself).
    public func format(unixSeconds: Double) -> String? {
        guard unixSeconds.isFinite, unixSeconds >= 0, unixSeconds < 253_402_300_800 else { return nil }  // before year 10000
        let whole = Int(unixSeconds.rounded(.down))
        let days = whole / 86_400
        let secondOfDay = whole % 86_400
        let (year, month, day) = Self.civil(daysSinceEpoch: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fractionDigits > 0 {
            var scale = 1
            for _ in 0..<fractionDigits { scale *= 10 }
            let fraction = min(scale - 1, Int(((unixSeconds - Double(whole)) * Double(scale)).rounded(.down)))
            text += "." + pad(fraction, fractionDigits)
        }
        return text + suffix
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (days ≥ 0).
    static func civil(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        // Eras of 400 years (146,097 days) from 0000-03-01, as in the usual civil-from-days derivation.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
