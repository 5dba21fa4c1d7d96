/// The one environment contract between `bootstrap` and whatever starts it — the SAM template, the
/// local runners, the profiler: every `STEPCONF_*` variable a function reads, decoded once, and the same
/// names for whoever writes them. No other file spells these names.
///
/// Every field is optional: nil means "not set", and the reader's documented default applies.
public struct FunctionEnvironment: Sendable, Hashable {
    /// The variables, by their names in the environment.
    public enum Variable: String, CaseIterable, Sendable {
        /// The object store: `s3://bucket[/prefix]` or a directory (`file://` optional).
        case store = "STEPCONF_STORE"
        /// Scale of the synthetic ALU's work (1 = full size).
        case workScale = "STEPCONF_WORK_SCALE"
        /// Where the configurator reads `{workflow}.json`, `{workflow}.model.json` and the platform file.
        case workflowDirectory = "STEPCONF_WORKFLOW_DIR"
        /// The configurator's policy.
        case policy = "STEPCONF_POLICY"
        /// The configurator's planning margin.
        case safety = "STEPCONF_SAFETY"
        /// Step functions are named `{prefix}-{kind}-m{memory}`.
        case functionPrefix = "STEPCONF_FUNCTION_PREFIX"
        /// The platform file the configurator decides on (relative to the workflow directory unless absolute).
        case platform = "STEPCONF_PLATFORM"
        /// The DynamoDB table of the global cache (on AWS).
        case cacheTable = "STEPCONF_CACHE_TABLE"
        /// The SQLite file of the global cache (locally).
        case cachePath = "STEPCONF_CACHE_PATH"
        /// The executable a step's worker processes run (default: the running `bootstrap`).
        case workerExecutable = "STEPCONF_WORKER_EXECUTABLE"
        /// How the runtime speaks the Runtime API: `socket` or `curl`.
        case runtimeTransport = "STEPCONF_RUNTIME_TRANSPORT"
        /// S3 addressing: `auto`, `path` or `virtual`.
        case s3Addressing = "STEPCONF_S3_ADDRESSING"
        /// Whether the configurator warms the functions of the steps it plans ahead (``Prewarm``): `true` or `false`.
        case prewarm = "STEPCONF_PREWARM"
        /// How long before an invocation's deadline a step stops its workers and answers the time-limit error, seconds
        /// (default 0.5; more on a host whose load can stall the instance longer than that).
        case deadlineMargin = "STEPCONF_DEADLINE_MARGIN"

        /// The name as it appears in the environment.
        public var name: String { rawValue }
    }

    public var store: String?
    public var workScale: Double?
    public var workflowDirectory: String?
    public var policy: PolicyName?
    public var safety: Double?
    public var functionPrefix: String?
    public var platform: String?
    public var cacheTable: String?
    public var cachePath: String?
    public var workerExecutable: String?
    public var runtimeTransport: String?
    public var s3Addressing: String?
    public var prewarm: Bool?
    public var deadlineMargin: Double?

    public init(
        store: String? = nil, workScale: Double? = nil, workflowDirectory: String? = nil, policy: PolicyName? = nil,
        safety: Double? = nil, functionPrefix: String? = nil, platform: String? = nil, cacheTable: String? = nil,
        cachePath: String? = nil, workerExecutable: String? = nil, runtimeTransport: String? = nil, s3Addressing: String? = nil,
        prewarm: Bool? = nil, deadlineMargin: Double? = nil
    ) {
        self.store = store
        self.workScale = workScale
        self.workflowDirectory = workflowDirectory
        self.policy = policy
        self.safety = safety
        self.functionPrefix = functionPrefix
        self.platform = platform
        self.cacheTable = cacheTable
        self.cachePath = cachePath
        self.workerExecutable = workerExecutable
        self.runtimeTransport = runtimeTransport
        self.s3Addressing = s3Addressing
        self.prewarm = prewarm
        self.deadlineMargin = deadlineMargin
    }

    /// Decodes the contract from a process environment; an empty value counts as unset.
    /// - Throws: ``InputError`` naming the variable and what it must hold, for a number that is not one
    ///   (or is out of range) or an unknown policy.
    public init(decoding variables: [String: String]) throws {
        func text(_ v: Variable) -> String? { variables[v.name].flatMap { $0.isEmpty ? nil : $0 } }
        func number(_ v: Variable, _ rule: String, _ ok: (Double) -> Bool) throws -> Double? {
            guard let raw = text(v) else { return nil }
            guard let value = Double(raw), value.isFinite, ok(value) else {
                throw InputError(.invalidParameter, "\(v.name) must be \(rule), got `\(raw.prefix(64))`")
            }
            return value
        }
        store = text(.store)
        workScale = try number(.workScale, "a number > 0", { $0 > 0 })
        workflowDirectory = text(.workflowDirectory)
        if let raw = text(.policy) {
            do {
                policy = try PolicyName.parse(raw)
            } catch let error as InputError {
                throw InputError(error.code, "\(Variable.policy.name): \(error.message)")
            }
        }
        safety = try number(.safety, "a number ≥ 0", { $0 >= 0 })
        functionPrefix = text(.functionPrefix)
        platform = text(.platform)
        cacheTable = text(.cacheTable)
        cachePath = text(.cachePath)
        workerExecutable = text(.workerExecutable)
        runtimeTransport = text(.runtimeTransport)
        s3Addressing = text(.s3Addressing)
        if let raw = text(.prewarm) {
            switch raw.lowercased() {
            case "true": prewarm = true
            case "false": prewarm = false
            default: throw InputError(.invalidParameter, "\(Variable.prewarm.name) must be true or false, got `\(raw.prefix(64))`")
            }
        }
        // Lambda's longest timeout is 900 s: a margin past it would stop every step at once.
        deadlineMargin = try number(.deadlineMargin, "a number of seconds in 0...900", { (0...900).contains($0) })
    }

    /// The variables to set for a function that should read this contract (unset fields are left out).
    public var variables: [String: String] {
        var out: [String: String] = [:]
        func put(_ v: Variable, _ value: String?) { if let value { out[v.name] = value } }
        put(.store, store)
        put(.workScale, workScale.map { "\($0)" })
        put(.workflowDirectory, workflowDirectory)
        put(.policy, policy?.rawValue)
        put(.safety, safety.map { "\($0)" })
        put(.functionPrefix, functionPrefix)
        put(.platform, platform)
        put(.cacheTable, cacheTable)
        put(.cachePath, cachePath)
        put(.workerExecutable, workerExecutable)
        put(.runtimeTransport, runtimeTransport)
        put(.s3Addressing, s3Addressing)
        put(.prewarm, prewarm.map { "\($0)" })
        put(.deadlineMargin, deadlineMargin.map { "\($0)" })
        return out
    }
}
