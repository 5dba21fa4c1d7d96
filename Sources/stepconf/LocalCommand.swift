import ArgumentParser
import Foundation
import StepConfCore
import StepConfExamples
import StepConfLocal
import StepConfStorage

struct LocalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Start or stop the cloud on this machine: the Lambda emulator plus moto (S3, DynamoDB, Step Functions).",
        subcommands: [LocalUp.self, LocalDown.self])
}

struct LocalUp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start moto's server and the Lambda emulator, and create the stack from the SAM template on moto.",
        discussion: """
            The stack is what `sam deploy` would create: the template (--template, or the one `stepconf template` \
            writes for the --workflow files, in DIR/sam) is packaged as `sam package` would (the bundle — the \
            bootstrap and the configurator's files, in DIR/bundle — zipped into an artifacts bucket, the state \
            machines uploaded), translated by aws-sam-translator and created by CloudFormation on moto. What moto \
            cannot create (state machine definitions from S3 with substitutions, the table's TTL, the bucket's \
            public access block and lifecycle) is applied otherwise and listed. The emulator then serves every \
            function of the stack (handler, memory, timeout and environment as Lambda holds them) with the real \
            bootstrap; moto's Step Functions engine executes the state machines and its Lambda calls go to the \
            emulator (moto is started with MOTO_PORT set to the emulator's port). Both servers run in the \
            background until `stepconf local down`; logs, the functions file and local.json are in --dir. Needs \
            python3 -m pip install 'moto[server,cloudformation]' aws-sam-translator.

            Then, as in the cloud (names and port as printed):
              aws stepfunctions start-execution --endpoint-url http://127.0.0.1:4599 \\
                --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:stepconf-synthetic16 \\
                --name try-1 --input '{"slo_s": 20}'
            or: stepconf invoke --local --workflow synthetic16 --slo 20
            """)

    @Option(
        name: .customLong("workflow"),
        help: ArgumentHelp("Workflows to deploy (files or embedded names); repeatable. Default: every embedded example (" + EmbeddedExamples.workflowNames.joined(separator: ", ") + ").", valueName: "file|name"))
    var workflows: [String] = []

    @Option(help: ArgumentHelp("moto's port: the AWS endpoint (0 picks a free one).", valueName: "port"))
    var port: Int = 4599

    @Option(help: ArgumentHelp("The emulator's port (0 picks a free one).", valueName: "port"))
    var emulatorPort: Int = 9009

    @Option(help: ArgumentHelp("Directory for logs, functions and state.", valueName: "dir"))
    var dir: String = "/tmp/stepconf-local"

    @Option(help: ArgumentHelp("Configurator policy.", valueName: "name"))
    var policy: PolicyName = .stepconf

    @OptionGroup var scale: WorkScaleOption

    @Option(help: ArgumentHelp("The bootstrap binary. Default: the one next to stepconf (built if missing).", valueName: "path"))
    var bootstrap: String?

    @OptionGroup var platform: PlatformOption

    @Option(help: ArgumentHelp(
        "SAM template to create the stack from (its DefinitionUri files beside it). Default: the one `stepconf template` writes for --workflow.",
        valueName: "file"))
    var template: String?

    @Flag(help: "Print local.json (ports, PIDs, ARNs) instead of the instructions.")
    var json = false

    func validate() throws {
        guard (0...65535).contains(port), (0...65535).contains(emulatorPort) else { throw ValidationError("ports must lie in 0–65535") }
    }

    func run() throws {
        var loaded: [(Workflow, PerformanceModel)] = []
        for name in workflows.isEmpty ? EmbeddedExamples.workflowNames : workflows {
            var options = try WorkflowOptions.parse([])
            options.source.workflow = name
            let (graph, model, _) = try options.load()
            loaded.append((graph.workflow, model))
        }
        let stepconf = SelfLocation.executable.path
        var settings = LocalStack.Settings(
            directory: dir, port: port, emulatorPort: emulatorPort, stepconf: stepconf, bootstrap: try ensureBootstrap(bootstrap),
            policy: policy, workScale: scale.workScale)
        if platform.platform != nil {
            settings.platform = try platform.load()
            settings.platformFile = true
        }
        if let template {
            guard FileManager.default.fileExists(atPath: template) else { throw CLIError(.input, "--template \(template): no such file") }
            settings.template = template
        }
        let stack = LocalStack(settings: settings)
        let typical = LocalUpTimings.load()
        let progress = StageProgress(
            label: "local up", stages: LocalStack.Stage.allCases.map { (Self.describe($0), typical.seconds($0)) },
            enabled: !json && isatty(2) != 0)
        let quiet = json
        let state: LocalStack.State
        do {
            state = try stack.up(
                loaded, progress: { line in if !quiet { progress.say(line) } },
                stage: { progress.begin(LocalStack.Stage.allCases.firstIndex(of: $0)!) })
        } catch {
            progress.finish()
            throw error
        }
        let took = progress.finish()
        LocalUpTimings(took).save()
        if json { try printJSON(state); return }
        print("")
        let parts = zip(LocalStack.Stage.allCases, took).compactMap { stage, t in t.map { "\(stage.rawValue) \(fixed($0, 1)) s" } }
        print("Up in \(fixed(took.compactMap { $0 }.reduce(0, +), 1)) s (\(parts.joined(separator: ", "))).", terminator: " ")
        print("AWS endpoint \(state.endpoint) (moto; any credentials, region \(state.region)); emulator on port \(state.emulatorPort).")
        print("Stack \(state.stack): bucket \(state.bucket ?? "-"), cache table \(state.table ?? "-").")
        if !state.covered.isEmpty {
            print("moto could not create these as the template asks; applied otherwise:")
            for line in state.covered { print("  \(line)") }
        }
        for (workflow, arn) in state.stateMachines.sorted(by: { $0.key < $1.key }) { print("  \(workflow): \(arn)") }
        let first = state.stateMachines.sorted { $0.key < $1.key }.first
        print("""

            Run a workflow with the AWS CLI:
              export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=\(state.region)
              aws stepfunctions start-execution --endpoint-url \(state.endpoint) --state-machine-arn \(first?.value ?? "ARN") --name try-1 --input '{"slo_s": 20}'
            or with its timeline: stepconf invoke --local --workflow \(first?.key ?? "NAME") --slo 20
            Stop: stepconf local down
            """)
    }
}

extension LocalUp {
    /// What a stage does, for the progress line.
    static func describe(_ stage: LocalStack.Stage) -> String {
        switch stage {
        case .bundle: "staging the bundle"
        case .moto: "starting moto"
        case .stack: "creating the stack"
        case .emulator: "starting the emulator"
        }
    }
}

struct LocalDown: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Stop the emulator and moto's server that `stepconf local up` started.")

    @Option(help: ArgumentHelp("The directory `local up` used.", valueName: "dir"))
    var dir: String = "/tmp/stepconf-local"

    func run() throws {
        if LocalStack.down(directory: dir) {
            print("stopped the local stack of \(dir)")
        } else {
            print("no local stack runs from \(dir)")
        }
    }
}

/// What each stage of `local up` took the last time on this machine (`local-up.json` in the cache folder), for the next
/// run's estimate of the time left; before any, what they take on a 2-core machine.
struct LocalUpTimings: Codable {
    var stages: [String: Double]

    /// Measured on the 2-core development VM (moto 5.x, three workflows' stack).
    static let firstTime: [LocalStack.Stage: Double] = [.bundle: 0.3, .moto: 2.5, .stack: 12, .emulator: 0.5]

    static var path: String { LocalCalibration.cacheBase + "/local-up.json" }

    init(_ took: [Double?]) {
        stages = [:]
        for (stage, t) in zip(LocalStack.Stage.allCases, took) { if let t { stages[stage.rawValue] = t } }
    }

    /// The last run's timings, else none (every stage at its first-time figure).
    static func load() -> LocalUpTimings {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(LocalUpTimings.self, from: $0) }
            ?? LocalUpTimings([])
    }

    /// A stage's typical seconds: the last run's when it is a sane number, else the first-time figure.
    func seconds(_ stage: LocalStack.Stage) -> Double {
        if let t = stages[stage.rawValue], t.isFinite, (0...3600).contains(t) { return t }
        return Self.firstTime[stage] ?? 1
    }

    /// Keeps these timings for the next run; a cache that cannot be written only costs the next estimate.
    func save() {
        guard stages.count == LocalStack.Stage.allCases.count, let data = try? JSONEncoder().encode(self) else { return }
        try? FileManager.default.createDirectory(atPath: LocalCalibration.cacheBase, withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: Self.path)
    }
}
