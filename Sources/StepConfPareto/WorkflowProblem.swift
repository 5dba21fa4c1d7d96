import Foundation
import StepConfCore

/// The static (makespan, cost) problem of a whole workflow: one variable per step, choosing among that step's
/// Pareto-efficient configurations (a dominated one can never be on the workflow's front: swapping in the
/// configuration that dominates it shortens no path less and costs no more). Makespan is the longest path
/// of predicted step times, cost the sum of predicted step costs — the plan `static` would run, without an
/// SLO. Far too many plans to enumerate (e.g. synthetic16), so the reference front is what the searches find.
public struct WorkflowProblem: DiscreteProblem {
    public let space: ConfigurationSpace
    /// Per step, the indices (into its options) of its Pareto-efficient configurations, fastest first.
    public let choices: [[Int]]

    public init(space: ConfigurationSpace) {
        self.space = space
        choices = space.steps.map { options in options.paretoIndices().sorted { options.seconds[$0] < options.seconds[$1] } }
    }

    public var bounds: [ClosedRange<Int>] { choices.map { 0...($0.count - 1) } }

    /// The configuration `x` gives step `i`.
    public func configuration(_ x: [Int], step i: Int) -> Configuration {
        space.steps[i].configurations[choices[i][x[i]]]
    }

    public func evaluate(_ x: [Int]) -> ObjectivePoint {
        let graph = space.graph
        let makespan = graph.makespan { space.steps[$0].seconds[choices[$0][x[$0]]] }
        let cost = graph.topologicalOrder.reduce(0.0) { $0 + space.steps[$1].costUSD[choices[$1][x[$1]]] }
        return ObjectivePoint(makespan, cost)
    }

    /// Every step at its fastest choice, and every step at its cheapest: the front's two ends.
    public var anchors: [ObjectivePoint] {
        [evaluate(choices.map { _ in 0 }), evaluate(choices.map { $0.count - 1 })]
    }

    /// log10 of the number of plans.
    public var log10Size: Double { choices.reduce(0.0) { $0 + log10(Double($1.count)) } }
}
