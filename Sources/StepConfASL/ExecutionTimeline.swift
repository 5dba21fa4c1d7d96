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

        /// Whether the step's Map finished.
        public var finished: Bool { runEnd != nil }

        enum CodingKeys: String, CodingKey {
            case id, inter, intra, fallback
            case decidedAhead = "decided_ahead"
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

    /// What a state's input or output holds of ours: the last configurator's answer at `$.config`.
    struct StateData: Decodable {
        var config: ConfiguratorOutput?

        init(_ text: String) {
            self = (try? JSONDecoder().decode(StateData.self, from: Data(text.utf8))) ?? StateData(config: nil)
        }

        init(config: ConfiguratorOutput?) { self.config = config }
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
                    if let output = details.output { Self.readDecision(StateData(output).config, into: &s) }
                    s.decidedAhead = false
                }
                byID[id] = s
            } else if let id = Self.stepID(name, prefix: "Run ") {
                var s = step(id)
                if event.type == "MapStateEntered" {
                    s.runStart = at
                    if s.configureEnd == nil {
                        s.decidedAhead = true
                        if let input = details.input { Self.readPlan(StateData(input).config, into: &s) }
                    }
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

    /// The decision the Configure task put at `$.config`: the step's plan (`steps.{id}`) and why (`decision`).
    static func readDecision(_ config: ConfiguratorOutput?, into step: inout Step) {
        readPlan(config, into: &step)
        guard let decision = config?.decision else { return }
        step.predictedSeconds = decision.predictedSeconds
        step.subSLOSeconds = decision.subSLOSeconds
        step.remainingSeconds = decision.remainingSeconds
        step.fallback = decision.fallback
        step.decisionMicroseconds = decision.decisionMicroseconds
    }

    /// The step's plan in a state's `$.config.steps.{id}` (what its Map runs on).
    static func readPlan(_ config: ConfiguratorOutput?, into step: inout Step) {
        guard let plan = config?.steps[step.id] else { return }
        step.memoryMB = plan.memoryMB
        step.inter = plan.inter
        step.intra = plan.intra
        step.predictedSeconds = plan.predictedSeconds
        step.fallback = plan.fallback
    }
}
