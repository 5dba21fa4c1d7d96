import Foundation
import StepConfCore

/// One function the emulator serves.
public struct FunctionSpec: Sendable, Codable, Hashable {
    public var name: String
    /// `_HANDLER`.
    public var handler: String
    public var memoryMB: Int
    /// Invocation time limit, seconds.
    public var timeoutSeconds: Double
    /// The runtime binary (a `bootstrap`).
    public var executable: String
    /// Extra environment for its instances.
    public var environment: [String: String]
    /// Versions and aliases an invocation may name besides `$LATEST` (`name:qualifier`, `?Qualifier=`); all run
    /// the same code. Lambda answers 404 for any other.
    public var qualifiers: [String]
    /// At most this many instances at once (Lambda's reserved concurrency); an invocation that would need
    /// another is refused with 429 `TooManyRequestsException`. Nil: no limit.
    public var reservedConcurrency: Int?

    public init(
        name: String, handler: String, memoryMB: Int = 128, timeoutSeconds: Double = 3, executable: String,
        environment: [String: String] = [:], qualifiers: [String] = [], reservedConcurrency: Int? = nil
    ) {
        self.name = name
        self.handler = handler
        self.memoryMB = memoryMB
        self.timeoutSeconds = timeoutSeconds
        self.executable = executable
        self.environment = environment
        self.qualifiers = qualifiers
        self.reservedConcurrency = reservedConcurrency
    }

    enum CodingKeys: String, CodingKey {
        case name, handler, executable, environment, qualifiers
        case memoryMB = "memory_mb"
        case timeoutSeconds = "timeout_s"
        case reservedConcurrency = "reserved_concurrency"
    }

    /// Whether `qualifier` names this function: `$LATEST` or one it declares.
    public func accepts(qualifier: String) -> Bool { qualifier == "$LATEST" || qualifiers.contains(qualifier) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        handler = try c.decode(String.self, forKey: .handler)
        memoryMB = try c.decodeIfPresent(Int.self, forKey: .memoryMB) ?? 128
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 3
        executable = try c.decodeIfPresent(String.self, forKey: .executable) ?? "bootstrap"
        environment = try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:]
        qualifiers = try c.decodeIfPresent([String].self, forKey: .qualifiers) ?? []
        reservedConcurrency = try c.decodeIfPresent(Int.self, forKey: .reservedConcurrency)
    }

    /// Reads a functions file (a JSON array); relative executables resolve against `baseDirectory`.
    /// - Throws: ``LocalError`` (`.functionsFile`) naming the file and what is wrong.
    public static func load(from path: String, baseDirectory: String? = nil) throws -> [FunctionSpec] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LocalError(.functionsFile, "\(path): cannot read the functions file")
        }
        var specs: [FunctionSpec]
        do {
            specs = try JSONDecoder().decode([FunctionSpec].self, from: data)
        } catch {
            throw LocalError(.functionsFile, "\(path): not a JSON array of functions (name, handler, memory_mb, timeout_s, executable): \(error)")
        }
        let base = baseDirectory ?? URL(fileURLWithPath: path).deletingLastPathComponent().path
        for k in specs.indices {
            if !specs[k].executable.hasPrefix("/") { specs[k].executable = base + "/" + specs[k].executable }
            guard specs[k].memoryMB >= 128, specs[k].memoryMB <= 10_240 else {
                throw LocalError(.functionsFile, "\(path): function `\(specs[k].name)`: memory_mb must lie in 128–10,240")
            }
            guard specs[k].timeoutSeconds > 0, specs[k].timeoutSeconds <= 900 else {
                throw LocalError(.functionsFile, "\(path): function `\(specs[k].name)`: timeout_s must lie in (0, 900]")
            }
            if let limit = specs[k].reservedConcurrency, limit < 0 {
                throw LocalError(.functionsFile, "\(path): function `\(specs[k].name)`: reserved_concurrency must be ≥ 0")
            }
            for qualifier in specs[k].qualifiers where qualifier.isEmpty || qualifier.contains(":") || qualifier.count > 128 {
                throw LocalError(.functionsFile, "\(path): function `\(specs[k].name)`: qualifier `\(qualifier)` is not a version or alias name")
            }
        }
        guard Set(specs.map(\.name)).count == specs.count else { throw LocalError(.functionsFile, "\(path): a function name repeats") }
        return specs
    }
}

extension FunctionSpec {
    /// The functions a deployed stack has, as the emulator serves them: `{prefix}-configurator` and
    /// `{prefix}-{kind}-m{memory}` for every kind and memory size, all running `bootstrap` with `environment`
    /// (the configurator left out when `includesConfigurator` is false: a profile needs none).
    public static func stack(
        kinds: [String], memorySizes: [Int], bootstrap: String, prefix: String, environment: [String: String],
        configuratorMemoryMB: Int = 512, includesConfigurator: Bool = true, stepTimeoutSeconds: Double = 900
    ) -> [FunctionSpec] {
        let configurator = FunctionSpec(
            name: FunctionNames.configurator(prefix: prefix), handler: FunctionNames.configuratorSuffix, memoryMB: configuratorMemoryMB, timeoutSeconds: 30,
            executable: bootstrap, environment: environment)
        return (includesConfigurator ? [configurator] : [])
            + kinds.flatMap { kind in
                memorySizes.map { m in
                    FunctionSpec(
                        name: FunctionNames.step(prefix: prefix, kind: kind, memoryMB: m), handler: kind, memoryMB: m,
                        timeoutSeconds: stepTimeoutSeconds, executable: bootstrap, environment: environment)
                }
            }
    }
}
