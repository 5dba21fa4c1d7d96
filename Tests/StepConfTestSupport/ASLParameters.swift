import Foundation

/// What Step Functions does with a state's `Parameters`, `ItemSelector` and `ResultSelector`, for tests that follow a
/// generated state machine's data without an engine: a field `key.$` takes the value its path names in the state's
/// data (`$.a.b`) or in the context object (`$$.Execution.Id`), or what `States.Format` or `States.JsonMerge` makes;
/// any other field is copied. Values are Foundation's JSON objects (`JSONSerialization`).
public enum ASLParameters {
    /// Why a template could not be applied.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `template` applied to `data` and `context`.
    /// - Throws: ``Failure`` naming a path that selects nothing (Step Functions fails the state then too).
    public static func apply(_ template: Any, data: Any, context: Any) throws -> Any {
        if let object = template as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, value) in object {
                if key.hasSuffix(".$"), let expression = value as? String {
                    result[String(key.dropLast(2))] = try evaluate(expression, data: data, context: context)
                } else {
                    result[key] = try apply(value, data: data, context: context)
                }
            }
            return result
        }
        if let array = template as? [Any] { return try array.map { try apply($0, data: data, context: context) } }
        return template
    }

    /// A path or an intrinsic function.
    public static func evaluate(_ expression: String, data: Any, context: Any) throws -> Any {
        if expression.hasPrefix("States.Format(") { return try format(expression, data: data, context: context) }
        if expression.hasPrefix("States.JsonMerge(") { return try jsonMerge(expression, data: data, context: context) }
        if expression.hasPrefix("$$") { return try select(String(expression.dropFirst(1)), in: context) }
        return try select(expression, in: data)
    }

    /// The value `path` (`$`, `$.a.b`, `$.a[0].b`) names in `root`.
    public static func select(_ path: String, in root: Any) throws -> Any {
        guard path.hasPrefix("$") else { throw Failure(description: "`\(path)` is not a path") }
        var value = root
        var rest = Substring(path.dropFirst())
        while !rest.isEmpty {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                    let array = value as? [Any], array.indices.contains(index)
                else { throw Failure(description: "`\(path)` selects nothing") }
                value = array[index]
                rest = rest[rest.index(after: close)...]
            } else if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                let key = String(rest[..<end])
                guard let object = value as? [String: Any], let member = object[key] else {
                    throw Failure(description: "`\(path)` selects nothing (no `\(key)`)")
                }
                value = member
                rest = rest[end...]
            } else {
                throw Failure(description: "`\(path)` is not a path this reads")
            }
        }
        return value
    }

    /// `States.JsonMerge(a, b, false)`: b's members over a's (shallow), each argument a path or a nested call.
    static func jsonMerge(_ expression: String, data: Any, context: Any) throws -> [String: Any] {
        let arguments = try splitArguments(String(expression.dropFirst("States.JsonMerge(".count).dropLast()))
        guard arguments.count == 3, arguments[2] == "false" else {
            throw Failure(description: "`\(expression)`: States.JsonMerge takes two objects and false")
        }
        guard let a = try evaluate(arguments[0], data: data, context: context) as? [String: Any],
            let b = try evaluate(arguments[1], data: data, context: context) as? [String: Any]
        else { throw Failure(description: "`\(expression)`: an argument is not an object") }
        return a.merging(b) { $1 }
    }

    /// A call's arguments, split at the commas outside nested parentheses and quotes.
    static func splitArguments(_ text: String) throws -> [String] {
        var arguments: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        for c in text {
            if c == "'" { quoted.toggle() }
            if !quoted, c == "(" { depth += 1 }
            if !quoted, c == ")" { depth -= 1 }
            if !quoted, depth == 0, c == "," {
                arguments.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
        }
        guard depth == 0, !quoted else { throw Failure(description: "`\(text)`: unbalanced") }
        arguments.append(current.trimmingCharacters(in: .whitespaces))
        return arguments
    }

    /// `States.Format('a{}b{}', $.x, $.y)`: the template with each `{}` replaced by its argument's text.
    static func format(_ expression: String, data: Any, context: Any) throws -> String {
        let inner = expression.dropFirst("States.Format(".count).dropLast()
        guard inner.hasPrefix("'"), let close = inner.dropFirst().firstIndex(of: "'") else {
            throw Failure(description: "`\(expression)`: no template")
        }
        let template = inner[inner.index(after: inner.startIndex)..<close]
        let arguments = inner[inner.index(after: close)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var pieces = template.components(separatedBy: "{}")
        guard pieces.count == arguments.count + 1 else { throw Failure(description: "`\(expression)`: arguments do not match") }
        var text = pieces.removeFirst()
        for (argument, piece) in zip(arguments, pieces) {
            let value = try evaluate(argument, data: data, context: context)
            text += (value as? NSNumber).map { "\($0)" } ?? "\(value)"
            text += piece
        }
        return text
    }
}
