import ArgumentParser
import Foundation
import StepConfASL
import StepConfCore
import StepConfStorage

struct ASLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asl",
        abstract: "Write a workflow's Step Functions state machine (Amazon States Language).",
        discussion: """
            Per step: a Configure task (the configurator decides memory, instances and workers from the time \
            left) and a Map over the instances it chose, calling {FunctionPrefix}-{kind}-m{memory}. Branches \
            become Parallel states; a DAG that is not series-parallel runs level by level, and the waits that \
            adds are listed. ${ConfiguratorFunctionArn} and ${FunctionPrefix} are left for SAM's \
            DefinitionSubstitutions (or `stepconf local up`) to fill in. When a step's configurator cannot \
            answer, the step runs on the plan an earlier answer made for it, else on its fastest configuration \
            (predicted by the model), and the execution's output records it under out.recovered.

            The execution input: {"slo_s": 12, "input": {"keys": ["in/a.txt", …]}} (input optional).

            Example: stepconf asl --workflow examples/synthetic16.json --out statemachine/synthetic16.asl.json
            """)

    @OptionGroup var source: WorkflowOptions

    @Option(help: ArgumentHelp("Where to write the state machine; standard output when absent.", valueName: "file"))
    var out: String?

    @Flag(help: "Print a JSON summary (file, states, series-parallel, added waits) instead of the text one.")
    var json = false

    func run() throws {
        let (graph, model, platform) = try source.load()
        let machine = try StateMachineGenerator(graph: graph, model: model, platform: platform).generate()
        guard let out else {
            FileHandle.standardOutput.write(Data(machine.text.utf8))
            return
        }
        try AtomicFile.write(Data(machine.text.utf8), to: out)
        if json {
            try printJSON(Summary(
                file: out, workflow: graph.workflow.name, steps: graph.count, seriesParallel: machine.seriesParallel,
                addedWaits: machine.addedWaits.map { [$0.step, $0.waitsFor] }))
            return
        }
        print("wrote \(out): \(graph.workflow.name), \(graph.count) steps")
        if !machine.seriesParallel {
            print("the DAG is not series-parallel: it runs level by level, which adds \(machine.addedWaits.count) waits:")
            for wait in machine.addedWaits { print("  \(wait.step) also waits for \(wait.waitsFor)") }
        }
    }

    struct Summary: Encodable {
        var file: String
        var workflow: String
        var steps: Int
        var seriesParallel: Bool
        var addedWaits: [[String]]

        enum CodingKeys: String, CodingKey {
            case file, workflow, steps
            case seriesParallel = "series_parallel"
            case addedWaits = "added_waits"
        }
    }
}
