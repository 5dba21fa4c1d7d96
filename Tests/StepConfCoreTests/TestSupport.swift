import Foundation
import StepConfCore
import StepConfTestSupport

typealias SplitMix64 = SeededRandom

enum Fixtures {
    /// The repository root (tests read the shipped examples from it).
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static func example(_ name: String) -> String { root.appendingPathComponent("examples/\(name)").path }

    /// A random DAG with one start (step 0) and one end (the last step), `count` steps (``RandomWorkflows``).
    static func randomWorkflow(count: Int, rng: inout SplitMix64, jobs: ClosedRange<Int> = 1...16) -> Workflow {
        RandomWorkflows.make(count: count, rng: &rng, jobs: jobs)
    }

    /// A random but valid model for every step of `workflow`.
    static func randomModel(for workflow: Workflow, rng: inout SplitMix64) -> PerformanceModel {
        var steps: [String: StepModel] = [:]
        for step in workflow.steps {
            steps[step.id] = StepModel(
                instance: .init(
                    workSecondsPerJob: .random(in: 0.05...1, using: &rng), multicoreRatio: .random(in: 0...1, using: &rng),
                    ioSecondsPerJob: .random(in: 0...0.05, using: &rng), ioShareCap: .random(in: 1...6, using: &rng),
                    perJobSeconds: .random(in: 0...0.002, using: &rng), perWorkerSeconds: .random(in: 0...0.003, using: &rng),
                    baseSeconds: .random(in: 0...0.2, using: &rng)),
                mapping: .init(
                    baseSeconds: .random(in: 0...0.3, using: &rng), perInstanceSeconds: .random(in: 0...0.02, using: &rng),
                    pastKneeSeconds: 0.004),
                noise: NoiseModel(instanceSpread: .random(in: 0...0.08, using: &rng)))
        }
        return PerformanceModel(workflow: workflow.name, steps: steps)
    }

    /// Every choice of one option per step: the cheapest whose makespan meets `slo` (nil if none).
    static func bruteForce(graph: WorkflowGraph, options: [ExactSolver.Options], slo: Double) -> Double? {
        var best: Double?
        var choice = [Int](repeating: 0, count: graph.count)
        func makespanAndCost() -> (Double, Double) {
            var finish = [Double](repeating: 0, count: graph.count)
            var cost = 0.0
            for v in graph.topologicalOrder {
                let ready = graph.predecessors[v].reduce(0.0) { max($0, finish[$1]) }
                finish[v] = ready + options[v].seconds[choice[v]]
                cost += options[v].costUSD[choice[v]]
            }
            return (finish.max()!, cost)
        }
        func visit(_ v: Int) {
            if v == graph.count {
                let (makespan, cost) = makespanAndCost()
                if makespan <= slo, cost < (best ?? .infinity) { best = cost }
                return
            }
            for k in 0..<options[v].seconds.count {
                choice[v] = k
                visit(v + 1)
            }
        }
        visit(0)
        return best
    }
}
