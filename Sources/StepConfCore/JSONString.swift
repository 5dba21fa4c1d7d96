/// A string as a JSON string literal (RFC 8259 §7): for writers that build JSON text by hand (the state machines'
/// ASL, the bootstrap's log lines) and must agree on escaping.
public enum JSONString {
    /// Appends `text` to `out` in double quotes, with `"`, `\` and the control characters escaped.
    public static func append(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
