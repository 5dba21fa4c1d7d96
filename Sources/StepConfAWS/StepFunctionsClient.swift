import FoundationEssentials
import StepConfStorage
import Glibc
import StepConfCore

/// The Step Functions operations StepConf needs (JSON 1.0 protocol), over ``AWSTransport``.
public final class StepFunctionsClient: Sendable {
    public let transport: AWSTransport

    public init(transport: AWSTransport) { self.transport = transport }

    public convenience init(configuration: AWSConfiguration) { self.init(transport: AWSTransport(configuration: configuration)) }

    /// An execution as DescribeExecution reports it.
    public struct Execution: Sendable, Equatable {
        public var arn: String
        /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`.
        public var status: String
        public var input: String?
        public var output: String?
        public var error: String?
        public var cause: String?
        /// Epoch seconds.
        public var startDate: Double?
        public var stopDate: Double?
    }

    /// One event of an execution's history.
    public struct HistoryEvent: Sendable, Equatable {
        public var id: Int
        public var type: String
        /// Epoch seconds.
        public var timestamp: Double
        /// The event's details object (e.g. `taskScheduledEventDetails`), as JSON text.
        public var details: String?
    }

    /// Calls `operation`. - Returns: the JSON answer. - Throws: ``AWSError`` with AWS's code.
    @discardableResult
    public func call(_ operation: String, _ body: JSONValue) throws -> JSONValue {
        try transport.sendJSON(
            service: .stepFunctions, target: "AWSStepFunctions.\(operation)", body: body,
            operation: "Step Functions \(operation)")
    }

    /// Creates a state machine, or updates the one of that name if it exists. - Returns: its ARN.
    public func createOrUpdateStateMachine(name: String, definition: String, roleARN: String) throws -> String {
        do {
            let answer = try call(
                "CreateStateMachine",
                ["name": .string(name), "definition": .string(definition), "roleArn": .string(roleARN), "type": "STANDARD"])
            guard let arn = answer["stateMachineArn"]?.stringValue else {
                throw AWSError(.invalidResponse, "CreateStateMachine \(name): no stateMachineArn in the answer")
            }
            // Some implementations answer an existing name with its ARN instead of StateMachineAlreadyExists.
            if try describeStateMachine(arn: arn).definition != definition {
                try updateStateMachine(arn: arn, definition: definition, roleARN: roleARN)
            }
            return arn
        } catch let error as AWSError where error.awsCode == "StateMachineAlreadyExists" {
            let arn = try stateMachineARN(name: name)
            try updateStateMachine(arn: arn, definition: definition, roleARN: roleARN)
            return arn
        }
    }

    /// A state machine's definition and role.
    public func describeStateMachine(arn: String) throws -> (definition: String, roleARN: String) {
        let answer = try call("DescribeStateMachine", ["stateMachineArn": .string(arn)])
        return (answer["definition"]?.stringValue ?? "", answer["roleArn"]?.stringValue ?? "")
    }

    /// Replaces a state machine's definition (and role).
    public func updateStateMachine(arn: String, definition: String, roleARN: String? = nil) throws {
        let body: JSONValue = ["stateMachineArn": .string(arn), "definition": .string(definition)]
        try call("UpdateStateMachine", body.setting("roleArn", roleARN.map(JSONValue.string)))
    }

    /// The ARN of the state machine called `name`.
    /// - Throws: ``AWSError`` (`notFound`) when there is none.
    public func stateMachineARN(name: String) throws -> String {
        var token: String?
        repeat {
            let body: JSONValue = ["maxResults": 100]
            let page = try call("ListStateMachines", body.setting("nextToken", token.map(JSONValue.string)))
            for machine in page["stateMachines"]?.arrayValue ?? [] where machine["name"]?.stringValue == name {
                if let arn = machine["stateMachineArn"]?.stringValue { return arn }
            }
            token = page["nextToken"]?.stringValue
        } while token != nil
        throw AWSError(.notFound, "no state machine named \(name)")
    }

    /// Starts an execution. - Returns: its ARN.
    public func startExecution(stateMachineARN: String, name: String? = nil, input: String = "{}") throws -> String {
        let body: JSONValue = ["stateMachineArn": .string(stateMachineARN), "input": .string(input)]
        guard let arn = try call("StartExecution", body.setting("name", name.map(JSONValue.string)))["executionArn"]?.stringValue else {
            throw AWSError(.invalidResponse, "StartExecution: no executionArn in the answer")
        }
        return arn
    }

    /// The execution's status and, when finished, output or error.
    public func describeExecution(arn: String) throws -> Execution {
        let answer = try call("DescribeExecution", ["executionArn": .string(arn)])
        return Execution(
            arn: arn, status: answer["status"]?.stringValue ?? "UNKNOWN", input: answer["input"]?.stringValue,
            output: answer["output"]?.stringValue, error: answer["error"]?.stringValue, cause: answer["cause"]?.stringValue,
            startDate: Self.epoch(answer["startDate"]), stopDate: Self.epoch(answer["stopDate"]))
    }

    /// Every event of the execution, oldest first (following `nextToken`).
    public func executionHistory(arn: String) throws -> [HistoryEvent] {
        var events: [HistoryEvent] = []
        var token: String?
        repeat {
            let body: JSONValue = ["executionArn": .string(arn), "maxResults": 1000]
            let page = try call("GetExecutionHistory", body.setting("nextToken", token.map(JSONValue.string)))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for event in page["events"]?.arrayValue ?? [] {
                let details = event.members?.first { $0.0.hasSuffix("EventDetails") }.flatMap { _, value in
                    (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
                }
                events.append(HistoryEvent(
                    id: event["id"]?.intValue ?? 0, type: event["type"]?.stringValue ?? "",
                    timestamp: Self.epoch(event["timestamp"]) ?? 0, details: details))
            }
            token = page["nextToken"]?.stringValue
        } while token != nil
        return events
    }

    /// Waits until the execution is no longer `RUNNING`, polling every `pollSeconds`.
    /// - Throws: ``AWSError`` (`service`) when it still runs after `timeoutSeconds`.
    public func waitForExecution(arn: String, timeoutSeconds: Double = 300, pollSeconds: Double = 0.5) throws -> Execution {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            let execution = try describeExecution(arn: arn)
            if execution.status != "RUNNING" { return execution }
            guard Date() < deadline else { throw AWSError(.service, "execution \(arn) still running after \(Int(timeoutSeconds)) s") }
            OSThread.sleep(pollSeconds)
        }
    }

    /// Step Functions sends dates as epoch seconds (numbers); some emulators send ISO 8601 strings.
    static func epoch(_ value: JSONValue?) -> Double? {
        if let number = value?.doubleValue { return number }
        if let text = value?.stringValue {
            return Double(text) ?? (try? Date(text, strategy: .iso8601))?.timeIntervalSince1970
        }
        return nil
    }
}
