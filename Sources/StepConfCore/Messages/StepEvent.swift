/// What a step function is invoked with: one Map item of the configurator's answer, plus where the step's
/// data lives.
public struct StepEvent: Sendable, Codable, Equatable {
    /// The workflow execution (names the output folder).
    public var execution: String
    /// The step id.
    public var step: String
    /// This instance's index in the step's fan-out (0-based).
    public var index: Int
    /// `q`: worker processes in this instance.
    public var intra: Int
    /// This instance's jobs: `jobStart..<jobEnd` of the step's jobs.
    public var jobStart: Int
    public var jobEnd: Int
    /// Input object keys for this instance: given, or this instance's share (``StepInput/share(instance:of:)``)
    /// of the step's `input` over its `instances`, as the state machine's Map sends them.
    public var keys: [String]
    /// Where outputs go; default `runs/{execution}/{step}`.
    public var outputPrefix: String?
    /// Step parameters (`difficulty`, `multicore_ratio`, `worker_memory_mb`, …).
    public var params: [String: Double]

    public init(
        execution: String, step: String, index: Int = 0, intra: Int = 1, jobStart: Int = 0, jobEnd: Int, keys: [String] = [],
        outputPrefix: String? = nil, params: [String: Double] = [:]
    ) {
        self.execution = execution
        self.step = step
        self.index = index
        self.intra = intra
        self.jobStart = jobStart
        self.jobEnd = jobEnd
        self.keys = keys
        self.outputPrefix = outputPrefix
        self.params = params
    }

    package enum CodingKeys: String, CodingKey {
        case execution, step, index, intra, keys, params, input, instances
        case jobStart = "job_start"
        case jobEnd = "job_end"
        case outputPrefix = "output_prefix"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        execution = try c.decode(String.self, forKey: .execution)
        step = try c.decode(String.self, forKey: .step)
        index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
        intra = try c.decodeIfPresent(Int.self, forKey: .intra) ?? 1
        jobStart = try c.decodeIfPresent(Int.self, forKey: .jobStart) ?? 0
        jobEnd = try c.decode(Int.self, forKey: .jobEnd)
        if let given = try c.decodeIfPresent([String].self, forKey: .keys) {
            keys = given
        } else if let input = try c.decodeIfPresent(StepInput.self, forKey: .input) {
            let instances = try c.decodeIfPresent(Int.self, forKey: .instances) ?? 1
            guard instances >= 1, index >= 0, index < instances else {
                throw DecodingError.dataCorruptedError(
                    forKey: .instances, in: c, debugDescription: "instance \(index) of \(instances) does not exist")
            }
            keys = input.share(instance: index, of: instances)
        } else {
            keys = []
        }
        outputPrefix = try c.decodeIfPresent(String.self, forKey: .outputPrefix)
        params = try c.decodeIfPresent([String: Double].self, forKey: .params) ?? [:]
        try checkBounds(c)
    }

    /// The most input keys one instance takes.
    public static let maxKeys = 100_000

    /// Every field within the bounds Core states (``InputBounds``), before a function allocates or spawns anything
    /// from it: an event is input, and no conversion or allocation on it may trap.
    /// - Throws: `DecodingError.dataCorrupted` naming the field and its range.
    private func checkBounds(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        func refuse(_ key: CodingKeys, _ text: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: text)
        }
        guard (0..<InputBounds.maxInter).contains(index) else {
            throw refuse(.index, "index must be in 0…\(InputBounds.maxInter - 1), got \(index)")
        }
        guard (1...InputBounds.maxIntra).contains(intra) else {
            throw refuse(.intra, "intra must be in 1…\(InputBounds.maxIntra), got \(intra)")
        }
        guard (0...InputBounds.maxJobs).contains(jobStart) else {
            throw refuse(.jobStart, "job_start must be in 0…\(InputBounds.maxJobs), got \(jobStart)")
        }
        guard (jobStart...InputBounds.maxJobs).contains(jobEnd) else {
            throw refuse(.jobEnd, "job_end must be in job_start (\(jobStart))…\(InputBounds.maxJobs), got \(jobEnd)")
        }
        guard keys.count <= Self.maxKeys else {
            throw refuse(.keys, "at most \(Self.maxKeys) keys per instance, got \(keys.count)")
        }
        for (name, value) in params.sorted(by: { $0.key < $1.key }) {
            guard InputBounds.check(value, in: -InputBounds.maxParameter...InputBounds.maxParameter) != nil else {
                throw refuse(.params, "params.\(name.prefix(64)) must be \(InputBounds.describe(-InputBounds.maxParameter...InputBounds.maxParameter)), got \(value)")
            }
        }
        if let memory = params["worker_memory_mb"], !(memory >= 1 && memory <= Double(InputBounds.maxMemoryMB)) {
            throw refuse(.params, "params.worker_memory_mb must be \(InputBounds.describe(1...Double(InputBounds.maxMemoryMB))), got \(memory)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(execution, forKey: .execution)
        try c.encode(step, forKey: .step)
        try c.encode(index, forKey: .index)
        try c.encode(intra, forKey: .intra)
        try c.encode(jobStart, forKey: .jobStart)
        try c.encode(jobEnd, forKey: .jobEnd)
        try c.encode(keys, forKey: .keys)
        try c.encodeIfPresent(outputPrefix, forKey: .outputPrefix)
        try c.encode(params, forKey: .params)
    }

    /// The folder this instance writes to.
    public var outputFolder: String { outputPrefix ?? "runs/\(execution)/\(step)" }

    /// A numeric parameter, or `fallback`.
    public func param(_ name: String, _ fallback: Double) -> Double { params[name] ?? fallback }
}

/// What a step function answers: the keys it wrote, its manifest, and where the time went.
public struct StepOutput: Sendable, Codable, Equatable {
    public var outputs: [String]
    /// Written last, only when every part succeeded.
    public var manifest: String
    public var jobs: Int
    public var intra: Int
    public var downloadSeconds: Double
    public var computeSeconds: Double
    public var uploadSeconds: Double

    package enum CodingKeys: String, CodingKey {
        case outputs, manifest, jobs, intra
        case downloadSeconds = "download_s"
        case computeSeconds = "compute_s"
        case uploadSeconds = "upload_s"
    }

    public init(
        outputs: [String], manifest: String, jobs: Int, intra: Int, downloadSeconds: Double, computeSeconds: Double,
        uploadSeconds: Double
    ) {
        self.outputs = outputs
        self.manifest = manifest
        self.jobs = jobs
        self.intra = intra
        self.downloadSeconds = downloadSeconds
        self.computeSeconds = computeSeconds
        self.uploadSeconds = uploadSeconds
    }
}
