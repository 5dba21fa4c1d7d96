import Foundation

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
            let details = event.details.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any] ?? [:]
            let at = event.timestamp - start
            // The first failure names its state, or happened in the state entered last.
            if failedStep == nil, event.type.hasSuffix("Failed"), event.type != "ExecutionFailed",
                let state = details["name"] as? String ?? lastEntered
            {
                failedStep = ["Configure ", "Run ", "Invoke "].lazy.compactMap { Self.stepID(state, prefix: $0) }.first
            }
            if event.type.hasSuffix("StateEntered") { lastEntered = details["name"] as? String }
            switch event.type {
            case "ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut":
                end = event.timestamp
                error = details["error"] as? String ?? (event.type == "ExecutionSucceeded" ? nil : event.type)
                cause = details["cause"] as? String
                continue
            default: break
            }
            guard let name = details["name"] as? String else { continue }
            if let id = Self.stepID(name, prefix: "Configure ") {
                var s = step(id)
                if event.type == "TaskStateEntered" { s.configureStart = at }
                if event.type == "TaskStateExited" {
                    s.configureEnd = at
                    if let output = details["output"] as? String { Self.readDecision(output, into: &s) }
                    s.decidedAhead = false
                }
                byID[id] = s
            } else if let id = Self.stepID(name, prefix: "Run ") {
                var s = step(id)
                if event.type == "MapStateEntered" {
                    s.runStart = at
                    if s.configureEnd == nil {
                        s.decidedAhead = true
                        if let input = details["input"] as? String { Self.readPlan(input, into: &s) }
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
    static func readDecision(_ output: String, into step: inout Step) {
        readPlan(output, into: &step)
        guard let state = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
            let config = state["config"] as? [String: Any], let decision = config["decision"] as? [String: Any]
        else { return }
        step.predictedSeconds = (decision["predicted_s"] as? NSNumber)?.doubleValue
        step.subSLOSeconds = (decision["sub_slo_s"] as? NSNumber)?.doubleValue
        step.remainingSeconds = (decision["remaining_s"] as? NSNumber)?.doubleValue
        step.fallback = decision["fallback"] as? Bool
        step.decisionMicroseconds = (decision["decision_us"] as? NSNumber)?.doubleValue
    }

    /// The step's plan in a state's `$.config.steps.{id}` (what its Map runs on).
    static func readPlan(_ stateJSON: String, into step: inout Step) {
        guard let state = try? JSONSerialization.jsonObject(with: Data(stateJSON.utf8)) as? [String: Any],
            let config = state["config"] as? [String: Any], let steps = config["steps"] as? [String: Any],
            let plan = steps[step.id] as? [String: Any]
        else { return }
        step.memoryMB = (plan["memory_mb"] as? NSNumber)?.intValue
        step.inter = (plan["inter"] as? NSNumber)?.intValue
        step.intra = (plan["intra"] as? NSNumber)?.intValue
        step.predictedSeconds = (plan["predicted_s"] as? NSNumber)?.doubleValue
        if let fallback = plan["fallback"] as? Bool { step.fallback = fallback }
    }
}
