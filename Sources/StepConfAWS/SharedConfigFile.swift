import FoundationEssentials
import StepConfCore
import StepConfStorage
import Glibc

/// The shared `credentials` and `config` files: INI sections (`[name]` in credentials, `[profile name]` or
/// `[default]` in config), `key = value` lines, `#`/`;` comments, and indented sub-settings (`s3 =` then
/// `  addressing_style = path`), which are kept as `s3.addressing_style`.
public struct SharedConfigFile: Sendable {
    /// Settings per profile name.
    public private(set) var profiles: [String: [String: String]] = [:]

    /// Parses `text`; `isConfig` strips the `profile ` prefix of config-file sections.
    public init(text: String, isConfig: Bool) {
        var section: String?
        var parent: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let indented = raw.first == " " || raw.first == "\t"
            let line = raw.trimmed()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = line.dropFirst().dropLast().trimmed()
                if isConfig && name.hasPrefix("profile ") { name = name.dropFirst(8).trimmed() }
                section = name
                parent = nil
                if profiles[name] == nil { profiles[name] = [:] }
                continue
            }
            guard let section, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmed().lowercased()
            var value = line[line.index(after: equals)...].trimmed()
            if let comment = value.firstRange(of: " #") ?? value.firstRange(of: " ;") { value = value[..<comment.lowerBound].trimmed() }
            if indented, let parent {
                profiles[section]?["\(parent).\(key)"] = value
            } else if value.isEmpty {
                parent = key
            } else {
                parent = nil
                profiles[section]?[key] = value
            }
        }
    }

    /// Reads `path`; an absent file is an empty one.
    /// - Throws: ``AWSError`` (`configuration`) when the file exists but cannot be read.
    public static func load(path: String, isConfig: Bool) throws -> SharedConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return SharedConfigFile(text: "", isConfig: isConfig) }
        do {
            return SharedConfigFile(text: try String(contentsOfFile: path, encoding: .utf8), isConfig: isConfig)
        } catch {
            throw AWSError(.configuration, "cannot read \(path): \(ErrorText.describe(error))")
        }
    }
}
