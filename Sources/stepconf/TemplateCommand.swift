import ArgumentParser
import Foundation
import StepConfASL
import StepConfCore
import StepConfExamples
import StepConfStorage

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Write the SAM template: functions per (kind, memory), configurator, state machines, table, bucket.",
        discussion: """
            One function per (step kind, memory size of the grid), e.g. {FunctionPrefix}-synthetic-m2048, all \
            from the same code (deploy/, built by deploy/Makefile) with their own Handler; the configurator; \
            one state machine per workflow from statemachine/{name}.asl.json (write those with `stepconf asl`), \
            allowed to invoke only its own functions; the DynamoDB cache table with TTL; the S3 bucket. \
            Parameters: Runtime (provided.al2, or provided.al2023), Architecture, FunctionPrefix, Policy, \
            Safety, Prewarm, StateMachineType, WorkScale.

            Example: stepconf template --workflow examples/synthetic16.json --workflow examples/video.json --out template.yaml
            """)

    @Option(
        name: .customLong("workflow"),
        help: ArgumentHelp("Workflows (files or embedded names); repeatable. Default: every embedded example (" + EmbeddedExamples.workflowNames.joined(separator: ", ") + ").", valueName: "file|name"))
    var workflows: [String] = []

    @Option(help: ArgumentHelp(
        "Platform file: its grid gives the memory sizes, and the configurator decides on it (deploy/build.sh --platform FILE puts it in the bundle).",
        valueName: "file"))
    var platform: String?

    @Option(help: ArgumentHelp("Where to write; standard output when absent.", valueName: "file"))
    var out: String?

    func run() throws {
        var loaded: [Workflow] = []
        for name in workflows.isEmpty ? EmbeddedExamples.workflowNames : workflows {
            loaded.append(try WorkflowGraph(try WorkflowOnlyOptions.workflow(name)).workflow)
        }
        let grid = try platform.map { try Platform.load(from: $0) }?.grid ?? Platform.aws.grid
        let text = SAMTemplateGenerator(workflows: loaded, grid: grid, platformFile: platform != nil).generate()
        guard let out else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        try AtomicFile.write(Data(text.utf8), to: out)
        let kinds = Set(loaded.flatMap { $0.steps.map(\.kind) }).count
        print("wrote \(out): \(kinds * grid.memoryMB.count + 1) functions (\(kinds) kinds × \(grid.memoryMB.count) memory sizes + the configurator), \(loaded.count) state machines")
    }
}
