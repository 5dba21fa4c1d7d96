/// A strict check of JSON text (RFC 8259) before it is decoded: Foundation's parser accepts trailing commas and
/// keeps the last of two equal keys, so `{"jobs": 1, "jobs": 1000000,}` would be read without a word. This
/// refuses both, and any syntax error, with the line, the column and the JSON path where it is.
public enum StrictJSON {
    /// The deepest nesting accepted (Foundation's own limit is about the same; deeper is never a workflow).
    public static let maxDepth = 512

    /// Checks `bytes`.
    /// - Throws: ``InputError`` (`malformed`): "SOURCE: line L, column C (at PATH): what is wrong".
    public static func check(_ bytes: [UInt8], source: String) throws {
        var scanner = Scanner(bytes: bytes, source: source)
        scanner.skipBlanks()
        try scanner.value(path: "", depth: 0)
        scanner.skipBlanks()
        if scanner.index < bytes.count { throw scanner.failure("text after the JSON value", path: "") }
    }

    /// Whether `bytes` are one JSON value (RFC 8259) as a JSON API reads it: syntax checked strictly (no trailing
    /// commas, nothing after the value), repeated keys allowed (the last wins, as in Lambda's and Foundation's
    /// parsers), no paths kept: fast enough for every payload of the emulator's Invoke API.
    public static func isJSON(_ bytes: [UInt8]) -> Bool {
        var scanner = Scanner(bytes: bytes, source: "", strictKeys: false)
        scanner.skipBlanks()
        guard (try? scanner.value(path: "", depth: 0)) != nil else { return false }
        scanner.skipBlanks()
        return scanner.index == bytes.count
    }

    struct Scanner {
        let bytes: [UInt8]
        let source: String
        /// Refuse repeated keys and keep each value's path for messages.
        let strictKeys: Bool
        var index = 0

        init(bytes: [UInt8], source: String, strictKeys: Bool = true) {
            self.bytes = bytes
            self.source = source
            self.strictKeys = strictKeys
        }

        func failure(_ what: String, path: String) -> InputError {
            var line = 1
            var column = 1
            for byte in bytes[0..<min(index, bytes.count)] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            let shown = path.utf8.count > 120 ? "…" + String(path.suffix(100)) : path
            let at = path.isEmpty ? "" : " (at `\(shown)`)"
            return InputError(.malformed, "\(source): line \(line), column \(column)\(at): \(what)")
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipBlanks() {
            while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String, path: String) throws {
            guard current == byte else { throw failure(what, path: path) }
            index += 1
        }

        mutating func value(path: String, depth: Int) throws {
            guard depth <= StrictJSON.maxDepth else { throw failure("nested deeper than \(StrictJSON.maxDepth) levels", path: path) }
            guard let b = current else { throw failure("the text ends where a value should be", path: path) }
            switch b {
            case UInt8(ascii: "{"): try object(path: path, depth: depth)
            case UInt8(ascii: "["): try array(path: path, depth: depth)
            case UInt8(ascii: "\""): _ = try string(path: path)
            case UInt8(ascii: "t"): try literal("true", path: path)
            case UInt8(ascii: "f"): try literal("false", path: path)
            case UInt8(ascii: "n"): try literal("null", path: path)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(path: path)
            default: throw failure("unexpected character where a value should be", path: path)
            }
        }

        mutating func literal(_ word: String, path: String) throws {
            for byte in word.utf8 {
                guard current == byte else { throw failure("not valid JSON (expected `\(word)`)", path: path) }
                index += 1
            }
        }

        mutating func number(path: String) throws {
            if current == UInt8(ascii: "-") { index += 1 }
            func digits() -> Int {
                var n = 0
                while let b = current, b >= 0x30, b <= 0x39 {
                    index += 1
                    n += 1
                }
                return n
            }
            if current == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                throw failure("not a valid number", path: path)
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw failure("not a valid number (no digit after the point)", path: path) }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw failure("not a valid number (no digit in the exponent)", path: path) }
            }
        }

        /// A string's bytes (escapes checked, not decoded except for keys, which compare as written).
        mutating func string(path: String) throws -> [UInt8] {
            try expect(UInt8(ascii: "\""), "expected a string", path: path)
            var text: [UInt8] = []
            while true {
                guard let b = current else { throw failure("the text ends inside a string", path: path) }
                index += 1
                if b == UInt8(ascii: "\"") { return text }
                if b < 0x20 { throw failure("a control character inside a string (escape it)", path: path) }
                if b == UInt8(ascii: "\\") {
                    guard let e = current else { throw failure("the text ends inside a string", path: path) }
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        text += [b, e]
                    case UInt8(ascii: "u"):
                        text += [b, e]
                        for _ in 0..<4 {
                            guard let h = current, (h >= 0x30 && h <= 0x39) || (h | 0x20 >= 0x61 && h | 0x20 <= 0x66) else {
                                throw failure("a \\u escape needs four hex digits", path: path)
                            }
                            text.append(h)
                            index += 1
                        }
                    default:
                        throw failure("an unknown escape in a string", path: path)
                    }
                } else {
                    text.append(b)
                }
            }
        }

        mutating func object(path: String, depth: Int) throws {
            index += 1
            skipBlanks()
            if current == UInt8(ascii: "}") {
                index += 1
                return
            }
            var keys = Set<[UInt8]>()
            while true {
                skipBlanks()
                if current == UInt8(ascii: "}") { throw failure("a trailing comma before `}`", path: path) }
                let keyStart = index
                let key = try string(path: path)
                var child = ""
                if strictKeys {
                    let name = String(decoding: key, as: UTF8.self)
                    child = path.isEmpty ? name : path + "." + name
                    guard keys.insert(key).inserted else {
                        index = keyStart
                        throw failure("the key `\(InputError.excerpt(name))` appears twice", path: path)
                    }
                }
                skipBlanks()
                try expect(UInt8(ascii: ":"), "expected `:` after a key", path: child)
                skipBlanks()
                try value(path: child, depth: depth + 1)
                skipBlanks()
                if current == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"), "expected `,` or `}`", path: path)
                return
            }
        }

        mutating func array(path: String, depth: Int) throws {
            index += 1
            skipBlanks()
            if current == UInt8(ascii: "]") {
                index += 1
                return
            }
            var k = 0
            while true {
                skipBlanks()
                if current == UInt8(ascii: "]") { throw failure("a trailing comma before `]`", path: path) }
                try value(path: "\(path)[\(k)]", depth: depth + 1)
                k += 1
                skipBlanks()
                if current == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"), "expected `,` or `]`", path: path)
                return
            }
        }
    }
}
