import Foundation
import StepConfAWS
import StepConfCore
import Testing

@Suite(.serialized) struct StepFunctionsClientTests {
    @Test func createStartDescribeAndReadTheHistory() throws {
        let moto = try Moto.shared()
        let sfn = StepFunctionsClient(configuration: try moto.configuration())
        let definition = #"{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": {"ok": 1}, "End": true}}}"#
        let role = "arn:aws:iam::123456789012:role/stepconf"
        let arn = try sfn.createOrUpdateStateMachine(name: "stepconf-test", definition: definition, roleARN: role)
        #expect(arn.hasSuffix(":stateMachine:stepconf-test"))
        // Creating it again updates it in place.
        let updated = #"{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": {"ok": 2}, "End": true}}}"#
        #expect(try sfn.createOrUpdateStateMachine(name: "stepconf-test", definition: updated, roleARN: role) == arn)
        let execution = try sfn.startExecution(stateMachineARN: arn, name: "run-1", input: #"{"x": 1}"#)
        let finished = try sfn.waitForExecution(arn: execution, timeoutSeconds: 30, pollSeconds: 0.1)
        #expect(finished.status == "SUCCEEDED")
        #expect(finished.output?.contains("2") == true, "output: \(finished.output ?? "none")")
        #expect(finished.startDate != nil)
        let history = try sfn.executionHistory(arn: execution)
        #expect(history.first?.type == "ExecutionStarted")
        #expect(history.last?.type == "ExecutionSucceeded")
        let missing = #expect(throws: AWSError.self) { try sfn.stateMachineARN(name: "absent") }
        #expect(missing?.code == .notFound)
    }

    @Test func anExecutionsHistoryDetailsAreJSONTheTimelineReadsAndItsInputRoundTrips() throws {
        let moto = try Moto.shared()
        let sfn = StepFunctionsClient(configuration: try moto.configuration())
        let definition = #"{"StartAt": "Configure a", "States": {"Configure a": {"Type": "Pass", "ResultPath": "$.config", "Result": {"k": "v"}, "Next": "Done"}, "Done": {"Type": "Succeed"}}}"#
        let arn = try sfn.createOrUpdateStateMachine(
            name: "stepconf-history", definition: definition, roleARN: "arn:aws:iam::123456789012:role/stepconf")
        #expect(try sfn.stateMachineARN(name: "stepconf-history") == arn)
        #expect(try sfn.describeStateMachine(arn: arn).definition == definition)
        let input = #"{"slo_s":5,"input":{"keys":["a/b é"]}}"#
        let execution = try sfn.startExecution(stateMachineARN: arn, name: "run-h", input: input)
        let finished = try sfn.waitForExecution(arn: execution, timeoutSeconds: 30, pollSeconds: 0.1)
        #expect(finished.status == "SUCCEEDED" && finished.input.map { $0.contains("a/b é") } == true)
        let history = try sfn.executionHistory(arn: execution)
        #expect(history.map(\.id) == history.map(\.id).sorted() && history.allSatisfy { $0.timestamp > 1_600_000_000 })
        // Every details text is one JSON object, and the state's name is in it as the timeline reads it.
        for event in history {
            if let details = event.details {
                let value = try JSONDecoder().decode(JSONValue.self, from: Data(details.utf8))
                #expect(value.members != nil, "\(event.type): \(details)")
            }
        }
        #expect(history.contains { $0.details?.contains("Configure a") == true })
    }
}
