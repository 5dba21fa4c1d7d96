import StepConfCore

/// Random workflows for property tests: DAGs with one start (step 0) and one end (the last step).
public enum RandomWorkflows {
    /// `count` steps of kind `synthetic`; each middle step depends on a random non-empty set of earlier ones, the last
    /// on every step nothing else depends on (and a few more).
    public static func make(
        count: Int, rng: inout SeededRandom, jobs: ClosedRange<Int> = 1...16, params: [String: Double] = [:]
    ) -> Workflow {
        var steps: [Workflow.Step] = []
        var hasSuccessor = Set<Int>()
        for i in 0..<count {
            var deps: [Int] = []
            if i > 0 && i < count - 1 {
                for j in 0..<i where Bool.random(using: &rng) { deps.append(j) }
                if deps.isEmpty { deps.append(Int.random(in: 0..<i, using: &rng)) }
            } else if i == count - 1 && count > 1 {
                deps = (0..<i).filter { !hasSuccessor.contains($0) }
                for j in 0..<i where !deps.contains(j) && Int.random(in: 0..<4, using: &rng) == 0 { deps.append(j) }
            }
            deps.forEach { hasSuccessor.insert($0) }
            steps.append(Workflow.Step(
                id: "v\(i)", kind: "synthetic", jobs: Int.random(in: jobs, using: &rng), dependsOn: deps.map { "v\($0)" },
                params: params))
        }
        return Workflow(name: "random", steps: steps)
    }
}
