import Foundation
import PropertyBased
import Testing

@testable import StepConfCore

/// Algorithm 2's phases (``StepConfOptimizer``) checked against independent computations on random DAGs and models.
@Suite struct AlgorithmPhaseTests {
    static func optimizer(_ seed: Int) -> (StepConfOptimizer, WorkflowGraph) {
        var rng = SplitMix64(seed: UInt64(seed))
        let workflow = Fixtures.randomWorkflow(count: Int.random(in: 1...9, using: &rng), rng: &rng)
        let graph = try! WorkflowGraph(workflow)
        let model = Fixtures.randomModel(for: workflow, rng: &rng)
        let space = try! ConfigurationSpace(graph: graph, model: model, platform: .aws, includesConfigurator: true)
        return (StepConfOptimizer(space: space), graph)
    }

    @Test func theCriticalPathIsTheLongestByWeightsAsTheForwardPassFindsIt() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            let (optimizer, graph) = Self.optimizer(seed)
            let everything = [Bool](repeating: true, count: graph.count)
            let critical = optimizer.criticalPath(from: graph.start, in: everything)
            let finish = graph.finishTimes { optimizer.weights[$0] }
            #expect(critical.steps.first == graph.start && critical.steps.last == graph.end, "seed \(seed)")
            #expect(abs(critical.weight - (finish.max() ?? 0)) <= 1e-9 * max(1, critical.weight), "seed \(seed)")
            #expect(abs(critical.steps.reduce(0.0) { $0 + optimizer.weights[$1] } - critical.weight) <= 1e-9 * max(1, critical.weight))
            for (a, b) in zip(critical.steps, critical.steps.dropFirst()) { #expect(graph.successors[a].contains(b), "seed \(seed)") }
            #expect(critical.onPath.enumerated().allSatisfy { $1 == critical.steps.contains($0) })
        }
    }

    @Test func theSubSLOsShareTheBudgetAlongThePathInProportionToTheirWeights() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            let (optimizer, graph) = Self.optimizer(seed)
            let critical = optimizer.criticalPath(from: graph.start, in: [Bool](repeating: true, count: graph.count))
            for chance in [nil, try! ChanceConstraint(percentile: 99)] {
                let split = optimizer.subSLOs(critical, remaining: 30, chance: chance)
                let total = critical.steps.reduce(0.0) { $0 + split.share($1) }
                #expect(abs(total - split.budget) <= 1e-9 * split.budget, "seed \(seed)")
                #expect(split.budget <= 30 + 1e-12, "a margin only shrinks the budget (seed \(seed))")
                if chance == nil { #expect(split.budget == 30) }
                for k in critical.steps where critical.weight > 0 {
                    #expect(abs(split.share(k) / split.budget - optimizer.weights[k] / critical.weight) < 1e-9, "seed \(seed)")
                }
            }
        }
    }

    @Test func everyStepOffThePathBelongsToOneScopeWhoseDeadlineComesNoLater() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            let (optimizer, graph) = Self.optimizer(seed)
            let inScope = [Bool](repeating: true, count: graph.count)
            let critical = optimizer.criticalPath(from: graph.start, in: inScope)
            let split = optimizer.subSLOs(critical, remaining: 20, chance: nil)
            let scopes = optimizer.offPathDeadlines(critical, split: split, inScope: inScope, deadline: 120, now: 100)
            let off = (0..<graph.count).filter { !critical.onPath[$0] }.map { graph.ids[$0] }
            for id in off {
                let holding = Set(scopes.values.filter { $0.members.contains(id) }.map(\.members))
                #expect(holding.count == 1, "step \(id) is in one branch's scope (seed \(seed))")
            }
            #expect(scopes.values.allSatisfy { $0.deadline <= 120 }, "seed \(seed)")
            if critical.steps.count > 1 {
                let rest = scopes[graph.ids[critical.steps[1]]]
                #expect(rest?.deadline == 120 && rest?.members == critical.steps.dropFirst().map { graph.ids[$0] }, "seed \(seed)")
            }
        }
    }

    /// The random models carry no cold-start cost, so the options are charged as they are listed.
    @Test func aDecisionIsTheCheapestOptionWithinItsSubSLOElseTheFastestFlagged() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            let (optimizer, graph) = Self.optimizer(seed)
            var rng = SplitMix64(seed: UInt64(seed) ^ 0xABCD)
            let slo = Double.random(in: 0.05...40, using: &rng)
            let decision = try! optimizer.decide(
                step: graph.start, now: 0, executionStart: 0, sloSeconds: slo, execution: "e", cache: InMemoryGlobalCache())
            let options = optimizer.space.steps[graph.start]
            guard let budget = decision.subSLOSeconds else {
                Issue.record("Algorithm 2 gave no sub-SLO (seed \(seed))")
                return
            }
            if let cheapest = options.cheapest(within: budget) {
                #expect(!decision.fallback && decision.option == cheapest, "seed \(seed)")
            } else {
                #expect(decision.fallback && decision.option == options.fastest, "seed \(seed)")
            }
        }
    }
}

@Suite struct FunctionEnvironmentTests {
    @Test func theContractRoundTripsThroughItsVariables() throws {
        let contract = FunctionEnvironment(
            store: "s3://bucket/prefix", workScale: 0.5, workflowDirectory: "/opt/workflows", policy: .interOnly, safety: 1.5,
            functionPrefix: "p", platform: "platform.json", cacheTable: "t", cachePath: "/tmp/c.db", workerExecutable: "/bin/w",
            runtimeTransport: "socket", s3Addressing: "path", prewarm: false, deadlineMargin: 1.5)
        let again = try FunctionEnvironment(decoding: contract.variables)
        #expect(again == contract)
        #expect(Set(contract.variables.keys) == Set(FunctionEnvironment.Variable.allCases.map(\.rawValue)))
        #expect(try FunctionEnvironment(decoding: [:]) == FunctionEnvironment())
    }

    @Test(arguments: [
        (FunctionEnvironment.Variable.workScale, "0"), (.workScale, "abc"), (.workScale, "inf"), (.safety, "-1"), (.safety, "nan"),
        (.policy, "fastest"), (.deadlineMargin, "-0.5"), (.deadlineMargin, "1e9"),
    ])
    func aBadValueIsRefusedNamingTheVariable(variable: FunctionEnvironment.Variable, value: String) {
        do {
            _ = try FunctionEnvironment(decoding: [variable.rawValue: value])
            Issue.record("accepted \(variable.rawValue)=\(value)")
        } catch let error as InputError {
            #expect(error.message.contains(variable.rawValue), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func anEmptyValueCountsAsUnset() throws {
        let contract = try FunctionEnvironment(decoding: [FunctionEnvironment.Variable.workScale.rawValue: "", "OTHER": "x"])
        #expect(contract.workScale == nil && contract.variables.isEmpty)
    }
}
