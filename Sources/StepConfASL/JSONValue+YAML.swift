import StepConfCore

extension JSONValue {
    /// The value as block-style YAML (what CloudFormation and SAM read): strings double-quoted as in JSON,
    /// so no value is ever mistaken for a number, a boolean or a tag.
    public func renderedYAML() -> String {
        var lines: [String] = []
        Self.yaml(self, indent: 0, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func scalar(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s):
            var out = ""
            JSONString.append(s, to: &out)
            return out
        case .int(let i): return String(i)
        case .number(let d): return "\(d)"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items) where items.isEmpty: return "[]"
        case .object(let members) where members.isEmpty: return "{}"
        default: return nil
        }
    }

    private static func key(_ k: String) -> String {
        let plain = !k.isEmpty && k.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ":" || $0 == "_" || $0 == "-") }
            && k.first!.isLetter
        if plain { return k }
        var out = ""
        JSONString.append(k, to: &out)
        return out
    }

    private static func yaml(_ value: JSONValue, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            for (k, v) in members {
                if let s = scalar(v) {
                    lines.append("\(pad)\(key(k)): \(s)")
                } else {
                    lines.append("\(pad)\(key(k)):")
                    yaml(v, indent: indent + 2, into: &lines)
                }
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                if let s = scalar(item) {
                    lines.append("\(pad)- \(s)")
                } else {
                    // The item's first line goes after the dash; the rest is indented under it.
                    var nested: [String] = []
                    yaml(item, indent: indent + 2, into: &nested)
                    lines.append("\(pad)- " + nested[0].dropFirst(indent + 2))
                    lines.append(contentsOf: nested.dropFirst())
                }
            }
        default:
            lines.append(pad + (scalar(value) ?? ""))
        }
    }
}
