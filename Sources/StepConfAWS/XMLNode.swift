import FoundationEssentials
import Glibc

/// A small XML tree for S3's answers: elements, text, the five entities and numeric references, CDATA;
/// declarations, comments and processing instructions are skipped, attributes are read but S3's answers
/// need none. Not a validating parser: malformed input throws rather than guessing.
struct XMLNode: Sendable {
    var name: String
    var attributes: [String: String] = [:]
    var children: [XMLNode] = []
    /// The element's own text (its direct text content, entities decoded).
    var text: String = ""

    /// The first child element named `name`.
    func first(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// Every child element named `name`.
    func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// Parses a document and returns its root element.
    static func parse(_ data: Data) throws -> XMLNode {
        var parser = Parser(bytes: Array(data))
        return try parser.document()
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() throws -> XMLNode {
            try skipMisc()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { throw AWSError(.invalidResponse, "no root element") }
            return try element()
        }

        mutating func skipMisc() throws {
            while true {
                skipSpace()
                if starts("<?") {
                    try skip(past: "?>")
                } else if starts("<!--") {
                    try skip(past: "-->")
                } else if starts("<!DOCTYPE") {
                    try skip(past: ">")
                } else {
                    return
                }
            }
        }

        mutating func element() throws -> XMLNode {
            i += 1  // <
            var node = XMLNode(name: name())
            while true {
                skipSpace()
                guard i < bytes.count else { throw AWSError(.invalidResponse, "unterminated tag <\(node.name)") }
                if starts("/>") {
                    i += 2
                    return node
                }
                if bytes[i] == UInt8(ascii: ">") {
                    i += 1
                    break
                }
                let attribute = name()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw AWSError(.invalidResponse, "attribute \(attribute) without value") }
                i += 1
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw AWSError(.invalidResponse, "attribute \(attribute) value not quoted")
                }
                let quote = bytes[i]
                i += 1
                let start = i
                while i < bytes.count && bytes[i] != quote { i += 1 }
                guard i < bytes.count else { throw AWSError(.invalidResponse, "unterminated attribute \(attribute)") }
                node.attributes[attribute] = try decode(bytes[start..<i])
                i += 1
            }
            var text = [UInt8]()
            while true {
                guard i < bytes.count else { throw AWSError(.invalidResponse, "element <\(node.name)> is not closed") }
                if starts("</") {
                    i += 2
                    let closing = name()
                    guard closing == node.name else { throw AWSError(.invalidResponse, "<\(node.name)> closed by </\(closing)>") }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw AWSError(.invalidResponse, "bad closing tag </\(closing)") }
                    i += 1
                    node.text = try decode(text[...])
                    return node
                } else if starts("<![CDATA[") {
                    i += 9
                    let start = i
                    try skip(past: "]]>")
                    text.append(contentsOf: bytes[start..<(i - 3)].map { $0 == UInt8(ascii: "&") ? 0 : $0 })
                    // CDATA text is literal: mark its ampersands so decode leaves them alone.
                } else if starts("<!--") {
                    try skip(past: "-->")
                } else if starts("<?") {
                    try skip(past: "?>")
                } else if bytes[i] == UInt8(ascii: "<") {
                    node.children.append(try element())
                } else {
                    text.append(bytes[i])
                    i += 1
                }
            }
        }

        mutating func name() -> String {
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
                    || b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
                { break }
                i += 1
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") || bytes[i] == UInt8(ascii: "\n") || bytes[i] == UInt8(ascii: "\r") {
                i += 1
            }
        }

        func starts(_ prefix: String) -> Bool {
            let p = Array(prefix.utf8)
            return i + p.count <= bytes.count && Array(bytes[i..<(i + p.count)]) == p
        }

        mutating func skip(past terminator: String) throws {
            while i < bytes.count && !starts(terminator) { i += 1 }
            guard i < bytes.count else { throw AWSError(.invalidResponse, "missing \(terminator)") }
            i += terminator.utf8.count
        }

        func decode(_ raw: ArraySlice<UInt8>) throws -> String {
            var out = [UInt8]()
            var j = raw.startIndex
            while j < raw.endIndex {
                let b = raw[j]
                if b == 0 {
                    out.append(UInt8(ascii: "&"))  // a literal ampersand from CDATA
                    j += 1
                } else if b == UInt8(ascii: "&") {
                    guard let semicolon = raw[j...].firstIndex(of: UInt8(ascii: ";")) else {
                        throw AWSError(.invalidResponse, "unterminated entity")
                    }
                    let entity = String(decoding: raw[(j + 1)..<semicolon], as: UTF8.self)
                    switch entity {
                    case "amp": out.append(UInt8(ascii: "&"))
                    case "lt": out.append(UInt8(ascii: "<"))
                    case "gt": out.append(UInt8(ascii: ">"))
                    case "quot": out.append(UInt8(ascii: "\""))
                    case "apos": out.append(UInt8(ascii: "'"))
                    default:
                        let value: UInt32?
                        if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                            value = UInt32(entity.dropFirst(2), radix: 16)
                        } else if entity.hasPrefix("#") {
                            value = UInt32(entity.dropFirst())
                        } else {
                            value = nil
                        }
                        guard let value, let scalar = Unicode.Scalar(value) else {
                            throw AWSError(.invalidResponse, "unknown entity &\(entity);")
                        }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    }
                    j = semicolon + 1
                } else {
                    out.append(b)
                    j += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

extension String {
    /// The text escaped for an XML element or attribute.
    var xmlEscaped: String {
        var out = ""
        for c in self {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
