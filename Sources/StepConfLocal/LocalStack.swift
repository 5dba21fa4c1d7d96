import Foundation
import StepConfASL
import StepConfAWS
import StepConfCore
import StepConfHTTP
import StepConfStorage

/// `stepconf local up|down`: the cloud on this machine, created from the SAM template users deploy (docs/deploy.md).
/// moto's server serves S3, DynamoDB, IAM, Lambda's control plane, CloudFormation and Step Functions; the stack
/// is created there from the template as `sam package` + `sam deploy` would create it on AWS (``stackHelper``);
/// the emulator then serves every function the stack holds — name, handler, memory, timeout and environment as
/// Lambda (moto) holds them — running the real bootstrap from the packaged bundle. moto's Step Functions engine
/// executes the state machines and calls Lambda on `localhost:$MOTO_PORT`, the emulator's port. So `aws
/// stepfunctions start-execution --endpoint-url …` runs a workflow locally as in the cloud. Both servers run
/// detached; their PIDs and ports are kept in `DIR/local.json` for `down`.
public struct LocalStack: Sendable {
    public struct Settings: Sendable {
        public var directory: String
        /// Moto's port (the AWS endpoint); 0 picks a free one.
        public var port: Int
        /// The emulator's port; 0 picks a free one.
        public var emulatorPort: Int
        /// The `stepconf` executable (runs `stepconf emulator`).
        public var stepconf: String
        public var bootstrap: String
        public var policy: PolicyName
        public var safety: Double
        public var workScale: Double
        public var functionPrefix = FunctionNames.defaultPrefix
        public var stackName = "stepconf"
        public var region = "us-east-1"
        public var account = "123456789012"
        /// The Python with moto's server and aws-sam-translator.
        public var python = "python3"
        /// The platform the configurator decides on; its grid gives the functions.
        public var platform: Platform = .aws
        /// Whether the configurator is told to decide on `platform` (``FunctionEnvironment/platform``): when it is not AWS's.
        public var platformFile = false
        /// A SAM template to create the stack from; nil: the one `stepconf template` writes for the workflows.
        public var template: String?

        public init(
            directory: String, port: Int, emulatorPort: Int, stepconf: String, bootstrap: String, policy: PolicyName = .stepconf,
            safety: Double = Policies.defaultSafety, workScale: Double = 0.02
        ) {
            self.directory = directory
            self.port = port
            self.emulatorPort = emulatorPort
            self.stepconf = stepconf
            self.bootstrap = bootstrap
            self.policy = policy
            self.safety = safety
            self.workScale = workScale
        }
    }

    /// What `up` started and created; `DIR/local.json`.
    public struct State: Sendable, Codable {
        public var endpoint: String
        public var port: Int
        public var emulatorPort: Int
        public var motoPID: Int32
        public var emulatorPID: Int32
        public var stack: String
        /// The stack's data bucket and cache table (its outputs `DataBucketName`, `CacheTableName`), if it has them.
        public var bucket: String?
        public var table: String?
        public var region: String
        /// Workflow name → state machine ARN.
        public var stateMachines: [String: String]
        /// What moto could not create from the template and was applied otherwise.
        public var covered: [String]

        enum CodingKeys: String, CodingKey {
            case endpoint, port, stack, bucket, table, region, covered
            case emulatorPort = "emulator_port"
            case motoPID = "moto_pid"
            case emulatorPID = "emulator_pid"
            case stateMachines = "state_machines"
        }
    }

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    var statePath: String { settings.directory + "/local.json" }

    /// Reads the state `up` left in `directory`, if any.
    public static func state(in directory: String) -> State? {
        FileManager.default.contents(atPath: directory + "/local.json").flatMap { try? JSONDecoder().decode(State.self, from: $0) }
    }

    /// The stages of ``up(_:progress:stage:)``, in order.
    public enum Stage: String, CaseIterable, Codable, Sendable {
        case bundle, moto, stack, emulator
    }

    /// Starts moto, creates the stack from the template there, then starts the emulator with the stack's functions.
    /// `progress` gets a line per stage (and the stack helper's lines); `stage` is told as each stage begins.
    /// - Throws: ``LocalError`` when a server does not start (its log is named), the template cannot be read or
    ///   translated, or the stack fails to create (the failed resources and reasons are in the message); whatever
    ///   was started is stopped again, so nothing is left half-created.
    public func up(
        _ workflows: [(Workflow, PerformanceModel)], progress: (String) -> Void = { _ in }, stage: (Stage) -> Void = { _ in }
    ) throws -> State {
        if let running = Self.state(in: settings.directory), Self.alive(running.motoPID) || Self.alive(running.emulatorPID) {
            throw LocalError(
                .alreadyRunning, "a local stack already runs from \(settings.directory) (moto on port \(running.port)): `stepconf local down` first")
        }
        stage(.bundle)
        let bundle = try stageBundle(workflows)
        let template = try settings.template ?? writeTemplate(workflows)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let port = settings.port == 0 ? try Self.freePort() : settings.port
        let emulatorPort = settings.emulatorPort == 0 ? try Self.freePort() : settings.emulatorPort
        let endpoint = "http://127.0.0.1:\(port)"

        stage(.moto)
        progress("starting moto's server on port \(port) (Step Functions calls Lambda on port \(emulatorPort))")
        let motoPID = try Self.spawn(
            "/usr/bin/env",
            [settings.python] + (try PythonScripts.install(.motoLauncher, in: settings.directory)) + ["-H", "127.0.0.1", "-p", "\(port)"],
            environment: ["MOTO_PORT": "\(emulatorPort)"], log: settings.directory + "/moto.log")
        var started = [motoPID]
        do {
            try Self.waitForHTTP(endpoint + "/moto-api/", pid: motoPID, log: settings.directory + "/moto.log")
            let config = try HTTPClient().send(HTTPRequest(
                method: "POST", url: endpoint + "/moto-api/config", headers: [("Content-Type", "application/json")],
                body: Data(#"{"stepfunctions": {"execute_state_machine": true}}"#.utf8), timeout: .seconds(10)))
            guard (200..<300).contains(config.status) else { throw LocalError(.stack, "moto refused its configuration: HTTP \(config.status)") }

            stage(.stack)
            progress("creating stack \(settings.stackName) from \(template) (packaged, SAM-translated, CloudFormation on moto)")
            let stack = try createStack(template: template, bundle: bundle, endpoint: endpoint, progress: progress)
            let local = [
                "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": settings.region, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            ]
            let functions = stack.functions.map {
                FunctionSpec(
                    name: $0.name, handler: $0.handler, memoryMB: $0.memoryMB, timeoutSeconds: $0.timeoutSeconds,
                    executable: bundle + "/bootstrap", environment: $0.environment.merging(local) { $1 })
            }
            try AtomicFile.write(try encoder.encode(functions), to: settings.directory + "/functions.json")

            stage(.emulator)
            progress("starting the Lambda emulator on port \(emulatorPort) (the stack's \(functions.count) functions)")
            let emulatorPID = try Self.spawn(
                settings.stepconf, ["emulator", "--functions", settings.directory + "/functions.json", "--port", "\(emulatorPort)"],
                environment: [:], log: settings.directory + "/emulator.log")
            started.append(emulatorPID)
            try Self.waitForHTTP("http://127.0.0.1:\(emulatorPort)/", pid: emulatorPID, log: settings.directory + "/emulator.log")

            var machines: [String: String] = [:]
            for (name, arn) in stack.stateMachines {
                let prefix = settings.functionPrefix + "-"
                machines[name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name] = arn
            }
            let state = State(
                endpoint: endpoint, port: port, emulatorPort: emulatorPort, motoPID: motoPID, emulatorPID: emulatorPID,
                stack: settings.stackName, bucket: stack.outputs["DataBucketName"], table: stack.outputs["CacheTableName"],
                region: settings.region, stateMachines: machines, covered: stack.covered)
            try AtomicFile.write(try encoder.encode(state), to: statePath)
            return state
        } catch {
            for pid in started { Self.stop(pid) }
            if let error = error as? AWSError { throw LocalError(.stack, "local stack: \(error.message); stopped moto and the emulator again") }
            let again = "\n(moto and the emulator were stopped again: nothing is left running)"
            if let error = error as? LocalError { throw LocalError(error.code, error.message + again) }
            if let error = error as? InputError { throw InputError(error.code, error.message + again) }
            throw error
        }
    }

    /// The bundle as `deploy/build.sh` stages it — `bootstrap` and `workflows/` with the configurator's files — in
    /// `DIR/bundle`; the emulator runs it from there, so `LAMBDA_TASK_ROOT` is the bundle, as on Lambda.
    func stageBundle(_ workflows: [(Workflow, PerformanceModel)]) throws -> String {
        let bundle = settings.directory + "/bundle"
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: bundle, withIntermediateDirectories: true)
            let target = bundle + "/bootstrap"
            if files.fileExists(atPath: target) { try files.removeItem(atPath: target) }
            try files.copyItem(atPath: settings.bootstrap, toPath: target)
        } catch {
            throw LocalError(.io, "\(bundle): cannot stage the bundle (\(error.localizedDescription))")
        }
        try ConfiguratorFiles.write(workflows, platform: settings.platform, to: bundle + "/workflows")
        return bundle
    }

    /// Writes what `stepconf template` and `stepconf asl` write for `workflows` into `DIR/sam/` and returns the
    /// template's path.
    func writeTemplate(_ workflows: [(Workflow, PerformanceModel)]) throws -> String {
        let folder = settings.directory + "/sam"
        do {
            try FileManager.default.createDirectory(atPath: folder + "/statemachine", withIntermediateDirectories: true)
        } catch {
            throw LocalError(.io, "\(folder): cannot create it (\(error.localizedDescription))")
        }
        for (workflow, model) in workflows {
            let text = try StateMachineGenerator(graph: WorkflowGraph(workflow), model: model, platform: settings.platform).generate().text
            try AtomicFile.write(Data(text.utf8), to: "\(folder)/statemachine/\(workflow.name).asl.json")
        }
        let template = SAMTemplateGenerator(workflows: workflows.map(\.0), grid: settings.platform.grid, platformFile: settings.platformFile).generate()
        try AtomicFile.write(Data(template.utf8), to: folder + "/template.yaml")
        return folder + "/template.yaml"
    }

    /// Runs ``stackHelper`` with moto's Python.
    /// - Throws: ``LocalError`` with the helper's account of what failed.
    func createStack(template: String, bundle: String, endpoint: String, progress: (String) -> Void) throws -> StackResult {
        let request = StackRequest(
            endpoint: endpoint, region: settings.region, stack: settings.stackName, template: template, bundle: bundle,
            artifactsBucket: "\(settings.stackName)-artifacts",
            parameters: [
                "FunctionPrefix": settings.functionPrefix, "Policy": settings.policy.rawValue, "Safety": "\(settings.safety)",
                "WorkScale": "\(settings.workScale)",
            ])
        let output = settings.directory + "/stack.json"
        let log = settings.directory + "/stack.log"
        FileManager.default.createFile(atPath: output, contents: nil)
        FileManager.default.createFile(atPath: log, contents: nil)
        guard let out = FileHandle(forWritingAtPath: output), let err = FileHandle(forWritingAtPath: log) else {
            throw LocalError(.io, "\(settings.directory): cannot write stack.json and stack.log")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [settings.python] + (try PythonScripts.install(.stackHelper, in: settings.directory))
        process.environment = ProcessInfo.processInfo.environment.merging(["AWS_ENDPOINT_URL": endpoint]) { $1 }
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw LocalError(.spawn, "cannot run \(settings.python): \(error.localizedDescription)")
        }
        input.fileHandleForWriting.write(try JSONEncoder().encode(request))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            if said.contains("ModuleNotFoundError") {
                throw LocalError(
                    .spawn,
                    "\(settings.python) lacks what the local stack needs: python3 -m pip install 'moto[server,cloudformation]' aws-sam-translator (\(log))")
            }
            throw LocalError(.stack, "the stack was not created (\(log)):\n" + said.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        for line in said.split(separator: "\n") { progress(String(line)) }
        guard let data = FileManager.default.contents(atPath: output), let result = try? JSONDecoder().decode(StackResult.self, from: data) else {
            throw LocalError(.stack, "\(output): the stack helper's answer is not readable")
        }
        return result
    }

    /// Stops what `up` started in `directory`.
    /// - Returns: false when nothing was running there.
    @discardableResult
    public static func down(directory: String) -> Bool {
        guard let state = state(in: directory) else { return false }
        stop(state.motoPID)
        stop(state.emulatorPID)
        try? FileManager.default.removeItem(atPath: directory + "/local.json")
        return true
    }
}
