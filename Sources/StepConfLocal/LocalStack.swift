import Foundation
import StepConfASL
import StepConfAWS
import StepConfCore
import StepConfHTTP

/// `stepconf local up|down`: the cloud on this machine. The emulator serves every function; moto's server
/// serves S3, DynamoDB and Step Functions, and executes the generated state machines (its Step Functions
/// engine calls Lambda on `localhost:$MOTO_PORT`, which is the emulator's port). The bucket, the cache
/// table and one state machine per workflow are created, so `aws stepfunctions start-execution
/// --endpoint-url …` runs a workflow locally as in the cloud. Both servers run detached; their PIDs and
/// ports are kept in `DIR/local.json` for `down`.
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
        public var functionPrefix = "stepconf"
        public var bucket = "stepconf-local"
        public var table = "stepconf-cache"
        public var region = "us-east-1"
        public var account = "123456789012"
        public var python = "python3"
        /// The platform the configurator decides on; its grid gives the functions.
        public var platform: Platform = .aws

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
        public var bucket: String
        public var table: String
        public var region: String
        /// Workflow name → state machine ARN.
        public var stateMachines: [String: String]

        enum CodingKeys: String, CodingKey {
            case endpoint, port, bucket, table, region
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

    /// Starts both servers and creates the resources. `progress` gets a line per stage.
    /// - Throws: ``InputError`` when a server does not start (its log is named) or a resource cannot be
    ///   created; whatever was started is stopped again.
    public func up(_ workflows: [(Workflow, PerformanceModel)], progress: (String) -> Void = { _ in }) throws -> State {
        if let running = Self.state(in: settings.directory), Self.alive(running.motoPID) || Self.alive(running.emulatorPID) {
            throw InputError(
                .malformed, "a local stack already runs from \(settings.directory) (moto on port \(running.port)): `stepconf local down` first")
        }
        try ConfiguratorFiles.write(workflows, platform: settings.platform, to: settings.directory + "/workflows")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let port = settings.port == 0 ? try Self.freePort() : settings.port
        let emulatorPort = settings.emulatorPort == 0 ? try Self.freePort() : settings.emulatorPort
        let endpoint = "http://127.0.0.1:\(port)"
        let functions = functionSpecs(workflows.map(\.0), endpoint: endpoint)
        try AtomicFile.write(try encoder.encode(functions), to: settings.directory + "/functions.json")

        progress("starting the Lambda emulator on port \(emulatorPort) (\(functions.count) functions)")
        let emulatorPID = try Self.spawn(
            settings.stepconf, ["emulator", "--functions", settings.directory + "/functions.json", "--port", "\(emulatorPort)"],
            environment: [:], log: settings.directory + "/emulator.log")
        var started = [emulatorPID]
        do {
            try Self.waitForHTTP("http://127.0.0.1:\(emulatorPort)/", pid: emulatorPID, log: settings.directory + "/emulator.log")
            progress("starting moto's server on port \(port) (Step Functions calls Lambda on port \(emulatorPort))")
            let motoPID = try Self.spawn(
                "/usr/bin/env", [settings.python, "-c", Self.motoLauncher, "-H", "127.0.0.1", "-p", "\(port)"],
                environment: ["MOTO_PORT": "\(emulatorPort)"], log: settings.directory + "/moto.log")
            started.append(motoPID)
            try Self.waitForHTTP(endpoint + "/moto-api/", pid: motoPID, log: settings.directory + "/moto.log")
            let config = try HTTPClient().send(HTTPRequest(
                method: "POST", url: endpoint + "/moto-api/config", headers: [("Content-Type", "application/json")],
                body: Data(#"{"stepfunctions": {"execute_state_machine": true}}"#.utf8), timeout: .seconds(10)))
            guard (200..<300).contains(config.status) else { throw InputError(.unreadable, "moto refused its configuration: HTTP \(config.status)") }

            let aws = try AWSConfiguration(
                region: settings.region,
                credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "test", secretAccessKey: "test")),
                endpoints: Dictionary(uniqueKeysWithValues: AWSService.allCases.map { ($0, try! AWSEndpoint(endpoint)) }))
            progress("creating bucket \(settings.bucket), table \(settings.table) and \(workflows.count) state machines")
            try S3Client(configuration: aws).createBucket(settings.bucket)
            try DynamoDBClient(configuration: aws).createTable(settings.table, ttlAttribute: "expires_at")
            let sfn = StepFunctionsClient(configuration: aws)
            var machines: [String: String] = [:]
            for (workflow, _) in workflows {
                let definition = try StateMachineGenerator(graph: WorkflowGraph(workflow)).generate().text
                    .replacingOccurrences(of: StateMachineGenerator.configuratorPlaceholder, with: functionARN("configurator"))
                    .replacingOccurrences(of: StateMachineGenerator.prefixPlaceholder, with: settings.functionPrefix)
                machines[workflow.name] = try sfn.createOrUpdateStateMachine(
                    name: "\(settings.functionPrefix)-\(workflow.name)", definition: definition,
                    roleARN: "arn:aws:iam::\(settings.account):role/\(settings.functionPrefix)-state-machine")
            }
            let state = State(
                endpoint: endpoint, port: port, emulatorPort: emulatorPort, motoPID: motoPID, emulatorPID: emulatorPID,
                bucket: settings.bucket, table: settings.table, region: settings.region, stateMachines: machines)
            try AtomicFile.write(try encoder.encode(state), to: statePath)
            return state
        } catch {
            for pid in started { Self.stop(pid) }
            if let error = error as? AWSError { throw InputError(.unreadable, "local stack: \(error.message)") }
            throw error
        }
    }

    /// Runs moto's server with one fix: its StartExecution deep-copies the state machine, executions
    /// included, and an execution (running or done) holds a thread lock that cannot be copied, so the second
    /// execution of a server fails with HTTP 500 (moto 5.2). The copy only needs the definition: executions
    /// are shared instead of copied.
    static let motoLauncher = """
        import sys
        try:
            from moto.stepfunctions.parser.backend.execution import Execution
            Execution.__deepcopy__ = lambda self, memo: self
        except ImportError:
            pass
        from moto.server import main
        main(sys.argv[1:])
        """

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

    func functionARN(_ name: String) -> String {
        "arn:aws:lambda:\(settings.region):\(settings.account):function:\(settings.functionPrefix)-\(name)"
    }

    /// The configurator and one function per (kind, memory size), talking to moto for S3 and DynamoDB.
    func functionSpecs(_ workflows: [Workflow], endpoint: String) -> [FunctionSpec] {
        let environment = [
            "STEPCONF_STORE": "s3://\(settings.bucket)", "STEPCONF_CACHE_TABLE": settings.table,
            "STEPCONF_WORKFLOW_DIR": settings.directory + "/workflows", "STEPCONF_POLICY": settings.policy.rawValue,
            "STEPCONF_SAFETY": "\(settings.safety)", "STEPCONF_WORK_SCALE": "\(settings.workScale)",
            "STEPCONF_FUNCTION_PREFIX": settings.functionPrefix, "STEPCONF_PLATFORM": ConfiguratorFiles.platformFile,
            "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": settings.region,
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        ]
        return FunctionSpec.stack(
            kinds: Set(workflows.flatMap { $0.steps.map(\.kind) }).sorted(), memorySizes: settings.platform.grid.memoryMB,
            bootstrap: settings.bootstrap, prefix: settings.functionPrefix, environment: environment)
    }
}
