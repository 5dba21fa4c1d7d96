import Dispatch
import FoundationEssentials
import Glibc
import StepConfCore
import StepConfWorker
import Synchronization

/// The synthetic step, after ServerlessBench's ALU test: job `j` loops `difficulty` times over a+b, a−b,
/// a·b, a/b (by i mod 4) on integers in [10, 100]; `multicore_ratio` of the iterations run on threads
/// inside the worker process (the part that uses more than one core), the rest on one thread.
///
/// The operands of iteration `i` of job `j` come from a hash of (seed, j, i), so the result — the wrapping
/// sum of every operation's value — is the same however the loop is split; the output lists it per job.
public struct SyntheticStep: StepFunction {
    public let kind = "synthetic"
    /// Loop iterations per unit of `difficulty`. Workflows give `difficulty` in the simulator's units
    /// (1.5 µs of one vCPU each), which is ``iterationsPerSimulatorUnit`` iterations here; 1 makes the
    /// parameter a plain iteration count.
    public var iterationsPerUnit: Double

    /// ALU iterations in one simulator difficulty unit: 1.5 µs at ~5 ns an iteration.
    public static let iterationsPerSimulatorUnit = 300.0

    public init(iterationsPerUnit: Double = 1) { self.iterationsPerUnit = iterationsPerUnit }

    /// The most iterations one job may ask for (minutes of one core): more is a mistake in the workflow.
    public static let maxDifficulty = 1_000_000_000

    public func jobs(for event: StepEvent, inputs: [String: Data]) throws -> [WorkerFrame] {
        let iterations = (event.param("difficulty", 100_000) * iterationsPerUnit).rounded()
        let ratio = event.param("multicore_ratio", 0)
        guard iterations >= 0, iterations <= Double(Self.maxDifficulty), (0...1).contains(ratio) else {
            throw StepInputError(
                .invalidParameter, "synthetic: difficulty must lie in 0…\(Self.maxDifficulty) iterations per job and multicore_ratio in [0, 1]")
        }
        let difficulty = Int(iterations)
        let seed = Int(exactly: event.param("seed", 1).rounded()) ?? 1
        let parameters = #"{"difficulty":\#(difficulty),"multicore_ratio":\#(ratio),"seed":\#(seed)}"#
        return (event.jobStart..<event.jobEnd).map { WorkerFrame(id: $0, kind: kind, parameters: parameters) }
    }

    struct Parameters: Decodable, Sendable {
        var difficulty: Int
        var multicore_ratio: Double
        var seed: Int
    }

    public func kernel(_ job: WorkerFrame) throws -> Data {
        guard let text = job.parameters, let p = Self.parameters(text) else {
            throw StepInputError(.missingParameter, "synthetic job \(job.id): missing parameters")
        }
        let parallel = Int((Double(p.difficulty) * p.multicore_ratio).rounded())
        var total = Self.alu(seed: p.seed, job: job.id, range: 0..<(p.difficulty - parallel))
        if parallel > 0 {
            let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
            let partial = Mutex<Int64>(0)
            let start = p.difficulty - parallel
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let lower = start + parallel * t / threads
                let upper = start + parallel * (t + 1) / threads
                let sum = Self.alu(seed: p.seed, job: job.id, range: lower..<upper)
                partial.withLock { $0 &+= sum }
            }
            total &+= partial.withLock { $0 }
        }
        return Data("\(total)".utf8)
    }

    /// Every job of a step carries the same parameter text: decode it once per worker process.
    private static let decoded = Mutex<(text: String, value: Parameters)?>(nil)

    private static func parameters(_ text: String) -> Parameters? {
        if let cached = decoded.withLock({ $0 }), cached.text == text { return cached.value }
        guard let value = try? JSONDecoder().decode(Parameters.self, from: Data(text.utf8)) else { return nil }
        decoded.withLock { $0 = (text, value) }
        return value
    }

    public func outputs(for event: StepEvent, inputs: [String: Data], results: [Data]) throws -> [(name: String, data: Data)] {
        let lines = zip(event.jobStart..<event.jobEnd, results).map { #"{"job":\#($0.0),"checksum":\#(String(decoding: $0.1, as: UTF8.self))}"# }
        return [("result.json", Data("[\(lines.joined(separator: ","))]".utf8))]
    }

    /// The ALU loop over iterations `range` of `job`: the wrapping sum of each iteration's result.
    public static func alu(seed: Int, job: Int, range: Range<Int>) -> Int64 {
        var sum: Int64 = 0
        for i in range {
            var x = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: job) &* 0xBF58_476D_1CE4_E5B9
                ^ UInt64(truncatingIfNeeded: i) &* 0x94D0_49BB_1331_11EB
            x ^= x >> 31
            x = x &* 0xD6E8_FEB8_6659_FD93
            x ^= x >> 32
            let a = Int64(10 + x % 91)
            let b = Int64(10 + (x >> 20) % 91)
            switch i & 3 {
            case 0: sum &+= a + b
            case 1: sum &+= a - b
            case 2: sum &+= a * b
            default: sum &+= a / b
            }
        }
        return sum
    }
}
