import FoundationEssentials
import Glibc

extension Workflow {
    /// Decodes and validates a workflow from JSON bytes.
    /// - Parameter source: the file name to put in error messages.
    /// - Throws: ``WorkflowError`` with code `.malformed` for JSON that does not fit the format, or the
    ///   validation error.
    public static func decode(_ data: Data, source: String = "workflow") throws -> Workflow {
        let workflow: Workflow
        do {
            try StrictJSON.check([UInt8](data), source: source)
        } catch let error as InputError {
            throw WorkflowError(.malformed, error.message)
        }
        do {
            workflow = try JSONDecoder().decode(Workflow.self, from: data)
        } catch let error as DecodingError {
            throw WorkflowError(.malformed, "\(source): \(JSONErrorText.describe(error))")
        } catch {
            throw WorkflowError(.malformed, "\(source): not valid JSON (\(error))")
        }
        do {
            return try workflow.validated()
        } catch let error as WorkflowError {
            throw WorkflowError(error.code, "\(source): \(error.message)")
        }
    }

    /// Returns the workflow if it is a valid DAG with one start and one end step.
    /// - Throws: ``WorkflowError``.
    public func validated() throws -> Workflow {
        _ = try WorkflowGraph(self)
        return self
    }
}

/// Turns `DecodingError` into a sentence that names the field path.
enum JSONErrorText {
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { key in
                key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
            }.joined()
            return text.isEmpty ? "the top level" : "`" + String(text.drop { $0 == "." }) + "`"
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "the top level" : path(context.codingPath)
            return "missing field `\(key.stringValue)` in \(parent)"
        case .typeMismatch(let type, let context):
            return "field \(path(context.codingPath)) should be \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "field \(path(context.codingPath)) is null; it should be \(typeName(type))"
        case .dataCorrupted(let context):
            // The text is valid JSON (``StrictJSON`` checked it first): a number that does not fit its field.
            if context.codingPath.isEmpty {
                return "a number does not fit its field (too large, or a fraction where a whole number belongs)"
            }
            return "field \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "cannot be decoded"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is [String].Type: return "an array of strings"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}
