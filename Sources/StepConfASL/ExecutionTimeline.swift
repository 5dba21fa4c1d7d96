import Foundation
import StepConfCore

/// Per step, what an execution of a generated state machine did, read back from its history: the
/// configurator's decision (from the `Configure` task's output, or for a step decided ahead from the plan its
/// Map read, `$.config.steps.{id}`) and when the step configured and ran.
public struct ExecutionTimeline: Sendable {
    /// One history event: its type, time (Unix seconds) and details (the `…EventDetails` object as JSON).
    public struct Event: Sendable {
        public var type: String
        public var timestamp: Double
        public var details: String?

        public init(type: String, timestamp: Double, details: String?) {
            self.type = type
            self.timestamp = timestamp
            self.details = details
        }
    }

    /// One step. Times are seconds since the execution started.
    public struct Step: Sendable, Codable {
        public var id: String
        public var configureStart: Double?
        public var configureEnd: Double?
        public var runStart: Double?
        public var runEnd: Double?
        public var memoryMB: Int?
        public var inter: Int?
        public var intra: Int?
        public var predictedSeconds: Double?
        public var subSLOSeconds: Double?
        public var remainingSeconds: Double?
        public var fallback: Bool?
        public var decisionMicroseconds: Double?
        /// Whether the step ran on a plan its predecessor's configurator made ahead (no Configure task of its own).
        public var decidedAhead: Bool?
        /// Where the plan it ran on came from (its configurator, made ahead, or a recovery when its configurator could
        /// not answer).
        public var configSource: ConfigSource?

        /// Whether the step's Map finished.
        public var finished: Bool { runEnd != nil }

        enum CodingKeys: String, CodingKey {
            case id, inter, intra, fallback
            case decidedAhead = "decided_ahead"
            case configSource = "config_source"
            case configureStart = "configure_start_s"
            case configureEnd = "configure_end_s"
            case runStart = "run_start_s"
            case runEnd = "run_end_s"
            case memoryMB = "memory_mb"
            case predictedSeconds = "predicted_s"
            case subSLOSeconds = "sub_slo_s"
            case remainingSeconds = "remaining_s"
            case decisionMicroseconds = "decision_us"
        }
    }

    /// Steps in the order they started configuring.
    public var steps: [Step]
    /// When the execution started and ended (Unix seconds; `end` nil while it runs).
    public var start: Double
    public var end: Double?
    /// `ExecutionFailed`'s error and cause.
    public var error: String?
    public var cause: String?
    /// The step that was configuring or running when the execution failed.
    public var failedStep: String?

    /// The fields of an event's details this reads (the `…EventDetails` objects of Step Functions' history).
    struct Details: Decodable {
        var name: String?
        var input: String?
        var output: String?
        var error: String?
        var cause: String?

        init(_ text: String?) {
            self = text.flatMap { try? JSONDecoder().decode(Details.self, from: Data($0.utf8)) } ?? Details()
        }

        init() {}
    }

    /// What a state's input or output holds of ours at `$.config`: the plans (`steps`) and, from a configurator, why
    /// (`decision`). A recovery's `$.config` carries a plan without a configurator's full record: each part is read
    /// on its own.
    struct StateData {
        var steps: [String: ConfiguratorOutput.Planned]?
        var decision: ConfiguratorOutput.Record?

        struct Config: Decodable {
            var steps: [String: ConfiguratorOutput.Planned]?
            var decision: ConfiguratorOutput.Record?

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: ConfiguratorOutput.CodingKeys.self)
                steps = try? c.decodeIfPresent([String: ConfiguratorOutput.Planned].self, forKey: .steps)
                decision = try? c.decodeIfPresent(ConfiguratorOutput.Record.self, forKey: .decision)
            }
        }

        /// The state data: only `config` is read.
        struct Data: Decodable {
            var config: Config?

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: StateMachineGenerator.State.self)
                config = try? c.decodeIfPresent(Config.self, forKey: .config)
            }
        }

        init(_ text: String) {
            let config = (try? JSONDecoder().decode(Data.self, from: Foundation.Data(text.utf8)))?.config
            steps = config?.steps
            decision = config?.decision
        }
    }

    /// Reads `events` (oldest first).
    public init(events: [Event]) {
        start = events.first { $0.type == "ExecutionStarted" }?.timestamp ?? events.first?.timestamp ?? 0
        var byID: [String: Step] = [:]
        var order: [String] = []
        func step(_ id: String) -> Step {
            if let known = byID[id] { return known }
            order.append(id)
            return Step(id: id)
        }
        var lastEntered: String?
        // The steps whose Configure task failed (their recovery states say what they ran on).
        var failedConfigure: Set<String> = []
        for event in events {
            let details = Details(event.details)
            let at = event.timestamp - start
            // The first failure names its state, or happened in the state entered last.
            if failedStep == nil, event.type.hasSuffix("Failed"), event.type != "ExecutionFailed",
                let state = details.name ?? lastEntered
            {
                failedStep = ["Configure ", "Run ", "Invoke "].lazy.compactMap { Self.stepID(state, prefix: $0) }.first
            }
            if event.type.hasSuffix("StateEntered") { lastEntered = details.name }
            switch event.type {
            case "ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut":
                end = event.timestamp
                error = details.error ?? (event.type == "ExecutionSucceeded" ? nil : event.type)
                cause = details.cause
                continue
            default: break
            }
            guard let name = details.name else { continue }
            if let id = Self.stepID(name, prefix: "Configure ") {
                var s = step(id)
                if event.type == "TaskStateEntered" { s.configureStart = at }
                if event.type == "TaskStateExited" {
                    s.configureEnd = at
                    s.decidedAhead = false
                    // A task that failed leaves the earlier answer at `$.config`: nothing of its own to read.
                    if !failedConfigure.contains(id) {
                        if let output = details.output { Self.readDecision(StateData(output), into: &s) }
                        s.configSource = .configurator
                    }
                }
                if event.type == "TaskFailed" || event.type == "TaskTimedOut" { failedConfigure.insert(id) }
                byID[id] = s
            } else if event.type == "PassStateEntered", let (id, source) = Self.recovery(name) {
                // The configurator's failure was caught: not the execution's.
                failedStep = nil
                var s = step(id)
                s.configSource = source
                s.decidedAhead = false
                byID[id] = s
            } else if let id = Self.stepID(name, prefix: "Run ") {
                var s = step(id)
                if event.type == "MapStateEntered" {
                    s.runStart = at
                    if s.configureEnd == nil {
                        s.decidedAhead = true
                        s.configSource = .decidedAhead
                    }
                    // The Map runs on `$.config.steps.{id}`, whichever state put it there.
                    if let input = details.input { Self.readPlan(StateData(input), into: &s) }
                }
                if event.type == "MapStateExited" { s.runEnd = at }
                byID[id] = s
            }
        }
        steps = order.map { byID[$0]! }
        if error == nil { failedStep = nil }
    }

    static func stepID(_ name: String, prefix: String) -> String? {
        name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
    }

    /// The step and plan source of a recovery state (``StateMachineGenerator/recoveryStates(_:)``).
    static func recovery(_ name: String) -> (String, ConfigSource)? {
        if let id = stepID(name, prefix: "Earlier plan ") { return (id, .earlierPlan) }
        if let id = stepID(name, prefix: "Fastest plan ") { return (id, .fastest) }
        if let id = stepID(name, prefix: "Fastest ") { return (id, .fastest) }
        return nil
    }

    /// The decision the Configure task put at `$.config`: the step's plan (`steps.{id}`) and why (`decision`).
    static func readDecision(_ config: StateData, into step: inout Step) {
        readPlan(config, into: &step)
        guard let decision = config.decision else { return }
        step.predictedSeconds = decision.predictedSeconds
        step.subSLOSeconds = decision.subSLOSeconds
        step.remainingSeconds = decision.remainingSeconds
        step.fallback = decision.fallback
        step.decisionMicroseconds = decision.decisionMicroseconds
    }

    /// The step's plan in a state's `$.config.steps.{id}` (what its Map runs on).
    static func readPlan(_ config: StateData, into step: inout Step) {
        guard let plan = config.steps?[step.id] else { return }
        step.memoryMB = plan.memoryMB
        step.inter = plan.inter
        step.intra = plan.intra
        step.predictedSeconds = plan.predictedSeconds
        step.fallback = plan.fallback
    }
}
