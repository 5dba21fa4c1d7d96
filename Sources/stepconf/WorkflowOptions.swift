import ArgumentParser
import Foundation
import StepConfCore
import StepConfExamples
import StepConfStorage

/// `--workflow`, `--model` and `--platform`, shared by the commands that plan.
struct WorkflowOptions: ParsableArguments {
    @OptionGroup var source: WorkflowOnlyOptions

    var workflow: String { source.workflow }

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Performance model (JSON). Default: the embedded model of an embedded workflow, else FILE.model.json "
                + "beside the workflow file.",
            valueName: "file"))
    var model: String?


    /// The workflow, its graph, model and platform, validated.
    func load() throws -> (graph: WorkflowGraph, model: PerformanceModel, platform: Platform) {
        let workflowValue: Workflow
        let modelValue: PerformanceModel
        if source.isEmbedded {
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
        return (try WorkflowGraph(workflowValue), modelValue, try source.platformOption.load())
    }
}

/// `--workflow` and `--platform` alone, for commands that need no model (profile).
struct WorkflowOnlyOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Workflow definition: a JSON file, or the name of an embedded example ("
                + EmbeddedExamples.workflowNames.joined(separator: ", ") + ").",
            valueName: "file|name"))
    var workflow: String = "synthetic16"

    @OptionGroup var platformOption: PlatformOption

    /// Whether `--workflow` names an embedded example rather than a file.
    var isEmbedded: Bool { Self.isEmbedded(workflow) }

    /// Whether `name` is an embedded example's name rather than a file.
    static func isEmbedded(_ name: String) -> Bool {
        !FileManager.default.fileExists(atPath: name) && !name.contains("/") && !name.hasSuffix(".json")
    }

    /// The workflow `name` names: a file, or an embedded example.
    static func workflow(_ name: String) throws -> Workflow {
        isEmbedded(name) ? try EmbeddedExamples.workflow(name) : try Workflow.load(from: name)
    }

    /// The workflow (a file, or an embedded example's name) and the platform, validated.
    func load() throws -> (graph: WorkflowGraph, platform: Platform) {
        (try WorkflowGraph(try Self.workflow(workflow)), try platformOption.load())
    }
}

/// Writes `value` as pretty JSON with sorted keys on standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(value)
    // Every JSON object the CLI prints says which build printed it (`stepconf --version`), as its first field.
    let opening = Data("{\n".utf8)
    if data.starts(with: opening), data.count > opening.count + 2, data[data.startIndex + opening.count] != UInt8(ascii: "}") {
        let version = try JSONEncoder().encode(SelfLocation.versionText.dropFirst("stepconf ".count).description)
        data = opening + Data("  \"stepconf_version\" : ".utf8) + version + Data(",\n".utf8) + data.dropFirst(opening.count)
    }
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
