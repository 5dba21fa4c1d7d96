import FoundationEssentials
import Glibc

/// The profile CSV every backend writes: a header, then one row per measured run.
///
/// Columns (any order, all required but the last, no others): `step`, `memory_mb`, `inter`, `intra`, `jobs`,
/// `mapping_delay_s`, `compute_s`, `total_s`, `cold` (`true`/`false`), and optionally `instance_s`: every instance's
/// billed duration in seconds, separated by `;` (at most `inter` of them; empty when unknown).
public enum ProfileCSV {
    /// The required columns in the order they are written.
    public static let columns = [
        "step", "memory_mb", "inter", "intra", "jobs", "mapping_delay_s", "compute_s", "total_s", "cold",
    ]
    /// The optional column of per-instance durations (written after the others).
    public static let instanceColumn = "instance_s"

    /// The CSV text for `samples`.
    public static func encode(_ samples: [ProfileSample]) -> String {
        let instances = samples.contains { $0.instanceSeconds != nil }
        var text = (columns + (instances ? [instanceColumn] : [])).joined(separator: ",") + "\n"
        for s in samples {
            var fields: [String] = [
                quote(s.step), "\(s.configuration.memoryMB)", "\(s.configuration.inter)", "\(s.configuration.intra)",
                "\(s.jobs)", "\(s.mappingDelaySeconds)", "\(s.computeSeconds)", "\(s.totalSeconds)", s.cold ? "true" : "false",
            ]
            if instances { fields.append(s.instanceSeconds.map { $0.map { "\($0)" }.joined(separator: ";") } ?? "") }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Parses CSV text.
    /// - Parameter source: the file name for error messages.
    /// - Throws: ``InputError`` naming the line and column: missing or extra columns, a field that is not a
    ///   number, a negative duration, a configuration outside Lambda's range.
    public static func decode(_ text: String, source: String = "samples") throws -> [ProfileSample] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.trimmed().isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first, !headerLine.isEmpty else {
            throw InputError(.malformed, "\(source): empty file; expected a header: \(columns.joined(separator: ","))")
        }
        let header = try split(headerLine, source: source, line: 1).map { $0.trimmed() }
        let missing = columns.filter { !header.contains($0) }
        let extra = header.filter { !columns.contains($0) && $0 != instanceColumn }
        guard missing.isEmpty, extra.isEmpty, Set(header).count == header.count else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing column(s) \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("unknown column(s) \(extra.map(InputError.excerpt).joined(separator: ", "))") }
            if parts.isEmpty {
                let repeated = Dictionary(grouping: header, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
                parts.append("column(s) \(repeated.map { "`\($0)`" }.joined(separator: ", ")) repeated")
            }
            throw InputError(.malformed, "\(source): line 1: \(parts.joined(separator: "; "))")
        }
        let at = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var samples: [ProfileSample] = []
        samples.reserveCapacity(lines.count - 1)
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            if line.trimmed().isEmpty { continue }
            let fields = try split(line, source: source, line: number)
            guard fields.count == header.count else {
                throw InputError(
                    .malformed, "\(source): line \(number): \(fields.count) fields, the header has \(header.count)")
            }
            func field(_ name: String) -> String { fields[at[name]!].trimmed() }
            func integer(_ name: String, minimum: Int, maximum: Int) throws -> Int {
                guard let value = Int(field(name)), value >= minimum, value <= maximum else {
                    throw InputError(
                        .malformed,
                        "\(source): line \(number): `\(name)` must be an integer in \(minimum)…\(maximum), got `\(InputError.excerpt(field(name)))`")
                }
                return value
            }
            func duration(_ name: String) throws -> Double {
                guard let value = Double(field(name)), value.isFinite else {
                    throw InputError(
                        .malformed, "\(source): line \(number): `\(name)` is not a number: `\(InputError.excerpt(field(name)))`")
                }
                guard value >= 0, value <= InputBounds.maxSeconds else {
                    throw InputError(
                        .malformed,
                        "\(source): line \(number): `\(name)` must be \(InputBounds.describe(0...InputBounds.maxSeconds)) seconds, got \(value)")
                }
                return value
            }
            let step = field("step")
            guard !step.isEmpty else { throw InputError(.malformed, "\(source): line \(number): `step` is empty") }
            guard step.utf8.count <= 256 else {
                throw InputError(.malformed, "\(source): line \(number): `step` is longer than 256 bytes: `\(InputError.excerpt(step))`")
            }
            let memory = try integer("memory_mb", minimum: 128, maximum: InputBounds.maxMemoryMB)
            let coldText = field("cold").lowercased()
            guard ["true", "false", "1", "0"].contains(coldText) else {
                throw InputError(
                    .malformed, "\(source): line \(number): `cold` must be true or false, got `\(InputError.excerpt(field("cold")))`")
            }
            let inter = try integer("inter", minimum: 1, maximum: InputBounds.maxInter)
            let instanceSeconds = try at[instanceColumn].map { _ in
                try instanceDurations(field(instanceColumn), inter: inter, at: "\(source): line \(number)")
            } ?? nil
            samples.append(ProfileSample(
                step: step,
                configuration: Configuration(
                    memoryMB: memory, inter: inter,
                    intra: try integer("intra", minimum: 1, maximum: InputBounds.maxIntra)),
                jobs: try integer("jobs", minimum: 1, maximum: InputBounds.maxJobs), mappingDelaySeconds: try duration("mapping_delay_s"),
                computeSeconds: try duration("compute_s"), totalSeconds: try duration("total_s"),
                cold: coldText == "true" || coldText == "1", instanceSeconds: instanceSeconds))
        }
        return samples
    }

    /// The `instance_s` field: `;`-separated durations, at most `inter` of them; nil when empty.
    private static func instanceDurations(_ field: String, inter: Int, at place: String) throws -> [Double]? {
        guard !field.isEmpty else { return nil }
        let parts = field.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count <= inter else {
            throw InputError(.malformed, "\(place): `\(instanceColumn)` has \(parts.count) durations, more than inter = \(inter)")
        }
        return try parts.map { part in
            let text = part.trimmed()
            guard let value = Double(text), value.isFinite, value >= 0, value <= InputBounds.maxSeconds else {
                throw InputError(
                    .malformed,
                    "\(place): `\(instanceColumn)` holds `\(InputError.excerpt(text))`, not a duration in "
                        + "\(InputBounds.describe(0...InputBounds.maxSeconds)) seconds")
            }
            return value
        }
    }

    /// Decodes profile CSV bytes; `source` names them in messages.
    /// - Throws: ``InputError``.
    public static func decode(_ data: Data, source: String) throws -> [ProfileSample] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(.malformed, "\(source): not UTF-8 text")
        }
        return try decode(text, source: source)
    }

    private static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }

    /// Splits one line on commas, honouring double-quoted fields.
    private static func split(_ line: String, source: String, line number: Int) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if quoted {
                if c == "\"" {
                    // A doubled quote is a literal quote; a single one closes the field.
                    var lookahead = iterator
                    if lookahead.next() == "\"" {
                        current.append("\"")
                        iterator = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "\"" && current.isEmpty {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        guard !quoted else { throw InputError(.malformed, "\(source): line \(number): unterminated quoted field") }
        fields.append(current)
        return fields
    }
}
