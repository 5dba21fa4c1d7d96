import Foundation
import Logging
import StepConfLambda
import Testing

@Suite struct LambdaContextTests {
    @Test func theEnvironmentReadsLambdasVariablesWithTheirDefaults() {
        typealias V = LambdaWire.Variable
        let full = LambdaEnvironment([
            V.runtimeAPI.rawValue: "127.0.0.1:9001", V.handler.rawValue: "configurator", V.functionName.rawValue: "f",
            V.memorySize.rawValue: "3008", V.taskRoot.rawValue: "/var/task", V.logLevel.rawValue: "DEBUG",
        ])
        #expect(full.runtimeAPI == "127.0.0.1:9001" && full.handler == "configurator" && full.functionName == "f")
        #expect(full.memoryMB == 3008 && full.taskRoot == "/var/task" && full.logLevel == .debug && full.unknownLogLevel == nil)
        let bare = LambdaEnvironment([:])
        #expect(bare.runtimeAPI == nil && bare.handler == "" && bare.functionName == "local" && bare.memoryMB == 128)
        #expect(bare.logLevel == .info)
        #expect(!bare.taskRoot.isEmpty, "the working directory stands in for the task root")
    }

    @Test(arguments: [("TRACE", Logger.Level.trace), ("debug", .debug), ("Info", .info), ("WARN", .warning), ("ERROR", .error), ("FATAL", .critical)])
    func everyLambdaLogLevelHasItsSwiftLogLevel(text: String, level: Logger.Level) {
        #expect(LambdaEnvironment([LambdaWire.Variable.logLevel.rawValue: text]).logLevel == level)
    }

    @Test func anUnknownLogLevelIsKeptToBeReportedAndInfoIsUsed() {
        let environment = LambdaEnvironment([LambdaWire.Variable.logLevel.rawValue: "LOUD"])
        #expect(environment.logLevel == .info && environment.unknownLogLevel == "LOUD")
        #expect(LambdaEnvironment([LambdaWire.Variable.logLevel.rawValue: ""]).unknownLogLevel == nil)
    }

    @Test func aMemorySizeThatIsNotANumberFallsBackToLambdasSmallest() {
        #expect(LambdaEnvironment([LambdaWire.Variable.memorySize.rawValue: "lots"]).memoryMB == 128)
    }

    @Test func theContextCarriesTheInvocationAndTimeLeft() {
        let deadline = Int64((Date().timeIntervalSince1970 + 30) * 1000)
        let invocation = Invocation(
            requestID: "req-1", deadlineMs: deadline, invokedFunctionARN: "arn:aws:lambda:us-east-1:1:function:f",
            traceID: "Root=1-2-3", clientContext: #"{"c":1}"#, cognitoIdentity: "id", payload: Data("{}".utf8))
        let context = LambdaContext(invocation: invocation, environment: LambdaEnvironment([LambdaWire.Variable.functionName.rawValue: "f"]))
        #expect(context.requestID == "req-1" && context.traceID == "Root=1-2-3" && context.clientContext == #"{"c":1}"#)
        #expect(context.cognitoIdentity == "id" && context.functionName == "f")
        #expect(context.remainingSeconds > 28 && context.remainingSeconds <= 30)
        #expect(context.logger[metadataKey: "aws-request-id"] == .string("req-1"))
        let late = LambdaContext(
            invocation: Invocation(requestID: "r", deadlineMs: 0, invokedFunctionARN: "", payload: Data()), environment: LambdaEnvironment([:]))
        #expect(late.remainingSeconds < 0)
    }

    @Test func anErrorBecomesAReportWithItsTypeAndDescription() {
        struct Broken: Error, CustomStringConvertible { var description: String { "it broke" } }
        let report = ErrorReport(Broken())
        #expect(report.errorType == "Broken" && report.errorMessage == "it broke" && report.stackTrace.isEmpty)
    }
}
