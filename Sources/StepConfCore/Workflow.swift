/// A serverless function workflow: a DAG of function steps (paper §III-A).
///
/// Decode one with ``Workflow/load(from:)`` or ``Workflow/decode(_:source:)``, which validate it; a
/// `Workflow` built in code is validated with ``Workflow/validated()``.
public struct Workflow: Sendable, Hashable {
    /// The workflow's name, used in function and state-machine names.
    public var name: String
    /// The steps in file order.
    public var steps: [Step]
    /// How the configurator measures a request's input size from its objects (``InputMeasure``); nil: every request
    /// is taken as the nominal size.
    public var inputMeasure: InputMeasure?

    /// Creates a workflow; call ``validated()`` before use.
    public init(name: String, steps: [Step], inputMeasure: InputMeasure? = nil) {
        self.name = name
        self.steps = steps
        self.inputMeasure = inputMeasure
    }

    /// One function step `v_i`: `jobs` (γ_i) jobs spread over `p` instances of function `kind`.
    public struct Step: Sendable, Hashable {
        /// Unique id within the workflow.
        public var id: String
        /// The function kind that runs this step, e.g. `synthetic` or `video.superres`.
        public var kind: String
        /// γ_i: the number of jobs in the step (> 0).
        public var jobs: Int
        /// Ids of the steps this one waits for.
        public var dependsOn: [String]
        /// Size of the step's whole input, in MB.
        public var inputMB: Double
        /// Per-step numeric parameters of the function (difficulty, multi-core ratio, …).
        public var params: [String: Double]
        /// How the step's work follows the size of a request's input (``InputScaling``); nil: proportional.
        public var inputScaling: InputScaling?

        /// Creates a step.
        public init(
            id: String,
            kind: String,
            jobs: Int,
            dependsOn: [String] = [],
            inputMB: Double = 0,
            params: [String: Double] = [:],
            inputScaling: InputScaling? = nil
        ) {
            self.id = id
            self.kind = kind
            self.jobs = jobs
            self.dependsOn = dependsOn
            self.inputMB = inputMB
            self.params = params
            self.inputScaling = inputScaling
        }

        /// Memory one worker process needs, in MB (`worker_memory_mb`; 64 when the step does not say).
        public var workerMemoryMB: Double { params["worker_memory_mb"] ?? WorkerMemory.defaultWorkerMB }

        /// The function that runs `kind` at `memoryMB` (one per kind and memory size, as deployed):
        /// `{kind}-m{memoryMB}`, with every character Lambda does not allow in a name (`.` in `video.detect`)
        /// written as `-`.
        public static func functionName(kind: String, memoryMB: Int) -> String {
            "\(functionKindName(kind))-m\(memoryMB)"
        }

        /// `kind` as it appears in function names: letters, digits, `-` and `_` kept, anything else `-`.
        public static func functionKindName(_ kind: String) -> String {
            // The common case, every byte already allowed, without Unicode property lookups (the simulator
            // names a function for every step it runs).
            let allowed = kind.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
            }
            if allowed { return kind }
            return String(kind.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "-" })
        }

        /// Whether θ can run this step: no more instances than jobs, no more workers than the busiest
        /// instance has jobs, and workers that fit in memory (``WorkerMemory/fits(intra:workerMemoryMB:memoryMB:)``).
        /// Memory pressure is a constraint, never a prediction: what this refuses is neither profiled nor chosen.
        public func canRun(_ theta: Configuration) -> Bool {
            guard theta.inter >= 1, theta.intra >= 1, theta.inter <= jobs else { return false }
            guard theta.intra <= (jobs + theta.inter - 1) / theta.inter else { return false }
            return WorkerMemory.fits(intra: theta.intra, workerMemoryMB: workerMemoryMB, memoryMB: theta.memoryMB)
        }
    }
}

extension Workflow.Step: Codable {
    enum CodingKeys: String, CodingKey {
        case id, kind, jobs
        case dependsOn = "depends_on"
        case inputMB = "input_mb"
        case params
        case inputScaling = "input_scaling"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        kind = try c.decode(String.self, forKey: .kind)
        // A whole number that fits an Int is range-checked with the step's other fields (``WorkflowGraph``); a
        // fraction, or a number past any Int (1e30), is named here with the field and the range.
        if let whole = try? c.decode(Int.self, forKey: .jobs) {
            jobs = whole
        } else {
            let value: Double
            do {
                value = try c.decode(Double.self, forKey: .jobs)
            } catch DecodingError.typeMismatch(_, let context) {
                throw DecodingError.typeMismatch(Int.self, context)
            }
            throw DecodingError.dataCorruptedError(
                forKey: .jobs, in: c, debugDescription: "must be a whole number in 1…\(InputBounds.maxJobs), got \(value)")
        }
        dependsOn = try c.decodeIfPresent([String].self, forKey: .dependsOn) ?? []
        inputMB = try c.decodeIfPresent(Double.self, forKey: .inputMB) ?? 0
        params = try c.decodeIfPresent([String: Double].self, forKey: .params) ?? [:]
        inputScaling = try c.decodeIfPresent(InputScaling.self, forKey: .inputScaling)
    }
}

extension Workflow: Codable {
    enum CodingKeys: String, CodingKey {
        case name, steps
        case inputMeasure = "input_measure"
    }
}

/// How a request's input size is read off the objects its first step is given, relative to the nominal size the
/// workflow file describes (``Workflow/scaled(by:)``): `objects`, their count over the first step's jobs (one job per
/// object, as word count's files); `bytes`, their total bytes over the first step's `input_mb`. The configurator
/// measures it with one HEAD (S3) or stat (the local store) per object.
public enum InputMeasure: String, Sendable, Hashable, Codable, CaseIterable {
    case objects
    case bytes

    /// The most objects measured one by one: past it the input is refused (a HEAD each is on the critical path).
    public static let maxObjects = 10_000

    /// The size of an input of `keys` for `first` (the workflow's first step), snapped to the grid of sizes
    /// (``InputSizes``: 2^(1/16) steps, so that requests of about one size share their plans); `size` gives an
    /// object's bytes (nil: it does not exist).
    /// - Throws: ``InputError`` naming the input when it is empty, lists too many objects, names one that does not
    ///   exist, or measures outside (0, ``InputSizes/maxSize``]; what `size` throws.
    public func size(of keys: [String], first: Workflow.Step, size: (String) throws -> Int?) throws -> Double {
        guard !keys.isEmpty else {
            throw InputError(.invalidParameter, "input: no objects to measure the request's size by (input_measure \(rawValue))")
        }
        guard keys.count <= Self.maxObjects else {
            throw InputError(.invalidParameter, "input: \(keys.count) objects, more than the \(Self.maxObjects) measured one by one")
        }
        let relative: Double
        switch self {
        case .objects:
            relative = Double(keys.count) / Double(max(1, first.jobs))
        case .bytes:
            var total = 0.0
            for key in keys {
                guard let bytes = try size(key) else { throw InputError(.invalidParameter, "input: no object `\(key.prefix(256))`") }
                total += Double(bytes)
            }
            guard first.inputMB > 0 else {
                throw InputError(.invalidParameter, "step \(first.id): input_measure bytes needs the step's input_mb (> 0)")
            }
            relative = total / (first.inputMB * 1e6)
        }
        let snapped = InputSizes.snapped(relative)
        guard snapped.isFinite, snapped > 0, snapped <= InputSizes.maxSize else {
            throw InputError(
                .invalidParameter,
                "input: \(keys.count) objects measure \(relative) × the nominal size (\(rawValue)); it must be in (0, \(Int(InputSizes.maxSize))]")
        }
        return snapped
    }
}

/// How a step's work follows the size of a request's input, relative to the workflow's nominal size (the size its
/// file describes): `proportional` (the default) scales its jobs and input with the size, `fixed` keeps them (a
/// reduce that always writes one result). A request of the nominal size runs the workflow as its file says.
public enum InputScaling: String, Sendable, Hashable, Codable, CaseIterable {
    case proportional
    case fixed
}

extension Workflow {
    /// The workflow a request of `size` × the nominal input runs: every proportional step's jobs (rounded, at least
    /// one) and input MB scaled by `size`; fixed steps as they are. Size 1 is the workflow itself.
    /// - Throws: ``InputError`` for a size that is not a positive number, or one that takes a step past
    ///   ``InputBounds/maxJobs`` jobs.
    public func scaled(by size: Double) throws -> Workflow {
        guard size.isFinite, size > 0, size <= InputSizes.maxSize else {
            throw InputError(.invalidParameter, "an input size must be a positive multiple of the nominal size of at most \(Int(InputSizes.maxSize)), got \(size)")
        }
        guard size != 1 else { return self }
        var scaled = self
        for k in scaled.steps.indices where (scaled.steps[k].inputScaling ?? .proportional) == .proportional {
            let jobs = (Double(scaled.steps[k].jobs) * size).rounded()
            guard jobs <= Double(InputBounds.maxJobs) else {
                throw InputError(
                    .invalidParameter,
                    "an input of \(size) × the nominal size gives step \(scaled.steps[k].id) \(jobs) jobs, past \(InputBounds.maxJobs)")
            }
            scaled.steps[k].jobs = max(1, Int(jobs))
            scaled.steps[k].inputMB *= size
        }
        return scaled
    }
}

/// The one rule for whether q worker processes fit in a function's memory: the runtime and the wrapper take
/// `runtimeMB`, each worker its `worker_memory_mb`. `canRun`, the worker's memory guard and the simulator's
/// memory pressure all read it.
public enum WorkerMemory {
    /// Memory of the runtime and the wrapper process, MB.
    public static let runtimeMB = 48.0
    /// A worker's memory when the step does not declare `worker_memory_mb`, MB.
    public static let defaultWorkerMB = 64.0

    /// MB that `intra` workers of `workerMemoryMB` each need, the runtime included.
    public static func neededMB(intra: Int, workerMemoryMB: Double) -> Double {
        runtimeMB + Double(intra) * workerMemoryMB
    }

    /// Whether they fit in `memoryMB`.
    public static func fits(intra: Int, workerMemoryMB: Double, memoryMB: Int) -> Bool {
        neededMB(intra: intra, workerMemoryMB: workerMemoryMB) <= Double(memoryMB)
    }
}

/// How a step's items are split over its p instances, the one rule the configurator, the simulator and the
/// model share: as evenly as they go, the first `count mod p` instances taking one more.
public enum InstanceSplit {
    /// The items of instance `j` (0-based) of `p` when there are `count` in all.
    public static func range(instance j: Int, of p: Int, count: Int) -> Range<Int> {
        guard p > 0, j >= 0, j < p else { return 0..<0 }
        let start = j * (count / p) + min(j, count % p)
        return start..<(start + count / p + (j < count % p ? 1 : 0))
    }
}
