import ArgumentParser
import Foundation
import StepConfCore
import StepConfExamples
import StepConfStorage

/// `--workflow`, `--model` and `--platform`, shared by the commands that plan.
struct WorkflowOptions: ParsableArguments {
    @OptionGroup var source: WorkflowOnlyOptions

    var workflow: String { source.workflow }
    var platform: String? { source.platform }

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Performance model (JSON). Default: the embedded model of an embedded workflow, else FILE.model.json "
                + "beside the workflow file.",
            valueName: "file"))
    var model: String?

    /// Loads a workflow (a file, or an embedded example's name) and a platform file (or the defaults).
    static func loadWorkflow(_ workflow: String, platform: String?) throws -> (graph: WorkflowGraph, platform: Platform) {
        let fileExists = FileManager.default.fileExists(atPath: workflow)
        let value =
            !fileExists && !workflow.contains("/") && !workflow.hasSuffix(".json")
            ? try EmbeddedExamples.workflow(workflow) : try Workflow.load(from: workflow)
        let platformValue = try platform.map { try Platform.load(from: $0) } ?? Platform.aws
        return (try WorkflowGraph(value), platformValue)
    }

    /// The workflow, its graph, model and platform, validated.
    func load() throws -> (graph: WorkflowGraph, model: PerformanceModel, platform: Platform) {
        let fileExists = FileManager.default.fileExists(atPath: workflow)
        let workflowValue: Workflow
        let modelValue: PerformanceModel
        if !fileExists && !workflow.contains("/") && !workflow.hasSuffix(".json") {
            workflowValue = try EmbeddedExamples.workflow(workflow)
            if let model {
                modelValue = try PerformanceModel.load(from: model, for: workflowValue)
            } else {
                modelValue = try EmbeddedExamples.model(workflow, for: workflowValue)
            }
        } else {
            workflowValue = try Workflow.load(from: workflow)
            let modelPath = model ?? (workflow.hasSuffix(".json") ? String(workflow.dropLast(5)) + ".model.json" : "")
            guard FileManager.default.fileExists(atPath: modelPath) else {
                throw CLIError(.input, model == nil
                        ? "no model for \(workflow): pass --model FILE (looked for \(modelPath))"
                        : "\(modelPath): cannot read the file")
            }
            modelValue = try PerformanceModel.load(from: modelPath, for: workflowValue)
        }
        let platformValue = try platform.map { try Platform.load(from: $0) } ?? Platform.aws
        return (try WorkflowGraph(workflowValue), modelValue, platformValue)
    }
}

/// `--workflow` and `--platform` alone, for commands that need no model (profile).
struct WorkflowOnlyOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Workflow definition: a JSON file, or the name of an embedded example (synthetic16, video).",
            valueName: "file|name"))
    var workflow: String = "synthetic16"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Platform file (JSON) overriding prices, memory→vCPU tiers and the grid. Default: AWS us-east-1 and "
                + "the paper's grid.", valueName: "file"))
    var platform: String?

    /// The workflow and platform, validated.
    func load() throws -> (graph: WorkflowGraph, platform: Platform) {
        try WorkflowOptions.loadWorkflow(workflow, platform: platform)
    }
}

/// Writes `value` as pretty JSON with sorted keys on standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
