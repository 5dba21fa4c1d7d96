import ArgumentParser
import Foundation
import StepConfASL
import StepConfAWS
import StepConfCore
import StepConfLocal

struct InvokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Start an execution of a deployed workflow, wait, and print each step's decision and timing.",
        discussion: """
            StartExecution on the state machine {prefix}-{workflow} (or --state-machine ARN) with \
            \(ExecutionInput.example), waits for it to end, then reads the execution history: per \
            step the configurator's decision (memory, instances, workers, predicted time, sub-SLO, fallback) and \
            when it configured and ran. AWS settings as the AWS CLI reads them (AWS_REGION, AWS_PROFILE, \
            AWS_ENDPOINT_URL, …); --local uses the stack `stepconf local up` started.

            Exit codes: 0 succeeded within the SLO, 3 succeeded but missed it, 1 the execution failed (its error \
            and cause are printed) or the input is invalid, 2 usage error.

            Examples:
              stepconf invoke --workflow synthetic16 --slo 20
              stepconf invoke --local --workflow video --slo 30 --json
            """)

    @Option(help: ArgumentHelp("Workflow name (the state machine is {prefix}-{workflow}).", valueName: "name"))
    var workflow: String

    @Option(help: ArgumentHelp("End-to-end SLO, seconds.", valueName: "seconds"))
    var slo: Double

    @Option(help: ArgumentHelp(
        "The SLO's percentile (0 < P < 100), sent as `\(ExecutionInput.CodingKeys.sloPercentile.stringValue)` (default: the state machine's, 99).", valueName: "P"))
    var percentile: Double?

    @Option(help: ArgumentHelp("State machine ARN (default: found by name).", valueName: "arn"))
    var stateMachine: String?

    @Option(help: ArgumentHelp("Function and state machine name prefix.", valueName: "prefix"))
    var prefix: String = FunctionNames.defaultPrefix

    @Option(help: ArgumentHelp("Execution name (default: stepconf-<random>).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp(
        "Input object key for the first step; repeatable. With --local and none given, the workflow's generated inputs "
            + "(a video for video, the word-count corpus for wordcount) are put in the stack's bucket and used.",
        valueName: "key"))
    var input: [String] = []

    @Option(help: ArgumentHelp("Endpoint for Step Functions (default: from the AWS settings).", valueName: "url"))
    var endpointURL: String?

    @Flag(help: "Use the local stack of `stepconf local up` (its endpoint and test credentials).")
    var local = false

    @Option(help: ArgumentHelp("With --local: the directory `local up` used (as `local up --dir`).", valueName: "dir"))
    var dir: String = "/tmp/stepconf-local"

    /// The old spelling of `--dir`, still accepted.
    @Option(name: .customLong("local-dir"), help: ArgumentHelp("Deprecated: use --dir.", visibility: .hidden))
    var localDirDeprecated: String?

    /// The stack directory: `--dir`, or the deprecated `--local-dir` (with a note).
    var localDir: String {
        if let localDirDeprecated {
            FileHandle.standardError.write(Data("note: --local-dir is deprecated; use --dir\n".utf8))
            return localDirDeprecated
        }
        return dir
    }

    @Option(help: ArgumentHelp("Give up waiting after this many seconds.", valueName: "seconds"))
    var timeout: Double = 900

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard slo.isFinite, slo > 0, slo <= InputBounds.maxSeconds else {
            throw ValidationError("--slo must be a number of seconds in (0, \(Int(InputBounds.maxSeconds))], got \(slo)")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        if let percentile {
            do { _ = try ChanceConstraint(percentile: percentile) } catch let error as InputError {
                throw ValidationError("--percentile: \(error.message)")
            }
        }
    }

    func run() throws {
        let localDir = self.localDir
        let configuration: AWSConfiguration
        var keys = input
        if local {
            guard let state = LocalStack.state(in: localDir) else {
                throw CLIError(.input, "no local stack in \(localDir): run `stepconf local up` first")
            }
            configuration = try AWSConfiguration(
                region: state.region,
                credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "test", secretAccessKey: "test")),
                endpoints: [.stepFunctions: try AWSEndpoint(state.endpoint)])
            if keys.isEmpty {
                keys = try LocalStack.starterInputs(workflow: workflow, directory: localDir, state: state)
                if !json && !keys.isEmpty { print("put \(keys.count) generated input object(s) in the stack's bucket") }
            }
        } else {
            var resolved = try AWSConfiguration.resolve()
            if let endpointURL { resolved.endpoints[.stepFunctions] = try AWSEndpoint(endpointURL, setting: "--endpoint-url") }
            configuration = resolved
        }
        let sfn = StepFunctionsClient(configuration: configuration)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let execInput = ExecutionInput(sloSeconds: slo, sloPercentile: percentile, input: StepInput(keys: keys))
        let inputText = String(decoding: try encoder.encode(execInput), as: UTF8.self)
        let timeline: ExecutionTimeline
        let execution: StepFunctionsClient.Execution
        let machine = try stateMachine ?? sfn.stateMachineARN(name: FunctionNames.stateMachine(prefix: prefix, workflow: workflow))
        let executionName = name ?? "stepconf-\(UUID().uuidString.prefix(8).lowercased())"
        let arn = try sfn.startExecution(stateMachineARN: machine, name: executionName, input: inputText)
        if !json { print("started \(arn)") }
        execution = try sfn.waitForExecution(arn: arn, timeoutSeconds: timeout)
        timeline = ExecutionTimeline(events: try sfn.executionHistory(arn: arn).map {
            .init(type: $0.type, timestamp: $0.timestamp, details: $0.details)
        })
        let duration = (timeline.end ?? timeline.start) - timeline.start
        let succeeded = execution.status == "SUCCEEDED"
        if json {
            try printJSON(Report(
                execution: execution.arn, status: execution.status, sloSeconds: slo, durationSeconds: duration,
                met: succeeded && duration <= slo, error: execution.error, cause: execution.cause, failedStep: timeline.failedStep,
                steps: timeline.steps))
        } else {
            printTimeline(timeline)
            if succeeded {
                let verdict = duration <= slo ? "SLO met with \(fixed(slo - duration, 3)) s to spare" : "SLO MISSED by \(fixed(duration - slo, 3)) s"
                print("SUCCEEDED in \(fixed(duration, 3)) s of \(fixed(slo, 3)) s: \(verdict)")
            } else {
                print("\(execution.status)" + (timeline.failedStep.map { " at step \($0)" } ?? "")
                    + ": \(execution.error ?? "no error") — \(execution.cause ?? "no cause given")")
            }
        }
        if !succeeded { throw ExitCode(1) }
        if duration > slo { throw ExitCode(3) }
    }

    private func printTimeline(_ timeline: ExecutionTimeline) {
        var table = TextTable(
            ["step", "memory_mb", "p", "q", "configure_s", "run_start_s", "run_end_s", "predicted_s", "sub_slo_s", "note"],
            leftAligned: [0, 9])
        func t(_ value: Double?) -> String { value.map { fixed($0, 3) } ?? "-" }
        for s in timeline.steps {
            table.add([
                s.id, s.memoryMB.map(String.init) ?? "-", s.inter.map(String.init) ?? "-", s.intra.map(String.init) ?? "-",
                t(s.configureStart), t(s.runStart), t(s.runEnd), t(s.predictedSeconds), t(s.subSLOSeconds),
                [
                    s.configSource == .decidedAhead ? "decided ahead" : nil,
                    s.configSource == .earlierPlan ? "configurator failed: ran on an earlier plan" : nil,
                    s.configSource == .fastest ? "configurator failed: ran on the fastest θ" : nil,
                    s.fallback == true && s.configSource?.recovered != true ? "fastest θ: budget unmet" : nil,
                    s.finished ? nil : "did not finish",
                ].compactMap { $0 }.joined(separator: "; "),
            ])
        }
        print(table.render())
    }

    struct Report: Encodable {
        var execution: String
        var status: String
        var sloSeconds: Double
        var durationSeconds: Double
        var met: Bool
        var error: String?
        var cause: String?
        var failedStep: String?
        var steps: [ExecutionTimeline.Step]

        enum CodingKeys: String, CodingKey {
            case execution, status, met, error, cause, steps
            case sloSeconds = "slo_s"
            case durationSeconds = "duration_s"
            case failedStep = "failed_step"
        }
    }
}
