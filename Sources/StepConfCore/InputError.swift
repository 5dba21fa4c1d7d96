/// A model file, platform file or argument that cannot be used, with a message that names the file
/// and the field.
public struct InputError: CodedError, Equatable {
    /// What kind of problem the input has.
    public enum Code: Sendable, Hashable {
        case unreadable, malformed, missingStep, invalidParameter, invalidGrid, invalidSLO, unknownPolicy
        case unknownStep
        /// An output path that cannot be written.
        case unwritable
    }

    /// The kind of problem.
    public let code: Code
    /// A sentence a user can act on.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension InputError {
    /// The most of a user's input a message quotes, in bytes.
    public static let excerptBytes = 60

    /// `text` as a message quotes it: at most ``excerptBytes`` bytes (cut on a character), "…" and the full
    /// length when cut — a 16 MiB field never becomes a 16 MiB message.
    public static func excerpt(_ text: some StringProtocol) -> String {
        guard text.utf8.count > excerptBytes else { return String(text) }
        var cut = ""
        for character in text {
            if cut.utf8.count + character.utf8.count > excerptBytes { break }
            cut.append(character)
        }
        return cut + "… (\(text.utf8.count) bytes)"
    }
}
