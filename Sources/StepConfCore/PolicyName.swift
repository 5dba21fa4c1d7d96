/// The configuration policies StepConf compares (paper §VI-C, docs/policies.md).
public enum PolicyName: String, Sendable, Hashable, CaseIterable, Codable {
    /// Algorithm 2, decided per step at run time.
    case stepconf
    /// The same heuristic decided once for all steps before the run.
    case `static`
    /// `static` with P = {1}, Q = {1} (Kijak et al.).
    case nono
    /// `stepconf` with P = {1}.
    case intraOnly = "intra-only"
    /// `stepconf` with Q = {1}.
    case interOnly = "inter-only"
    /// The offline optimum of (6) on predicted times.
    case optimal
    /// At each step, the remaining DAG re-solved exactly with the time left.
    case stepconfExact = "stepconf-exact"

    /// Whether the policy decides each step at run time (and so pays for a configurator per step).
    public var isDynamic: Bool {
        switch self {
        case .stepconf, .intraOnly, .interOnly, .stepconfExact: return true
        case .static, .nono, .optimal: return false
        }
    }

    /// The part of `grid` the policy may choose from.
    public func grid(from grid: ConfigurationGrid) -> ConfigurationGrid {
        switch self {
        case .nono: return grid.restricted(inter: [1], intra: [1])
        case .intraOnly: return grid.restricted(inter: [1])
        case .interOnly: return grid.restricted(intra: [1])
        case .stepconf, .static, .optimal, .stepconfExact: return grid
        }
    }

    /// Every policy name, comma-separated, for messages.
    public static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a policy name.
    /// - Throws: ``InputError`` listing the known names.
    public static func parse(_ text: String) throws -> PolicyName {
        guard let name = PolicyName(rawValue: text.lowercased()) else {
            throw InputError(.unknownPolicy, "unknown policy `\(text)`; known policies: \(known)")
        }
        return name
    }
}
