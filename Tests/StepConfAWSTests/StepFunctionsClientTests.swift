import Foundation
import StepConfAWS
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
}
