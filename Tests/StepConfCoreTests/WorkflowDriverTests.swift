import Foundation
import Synchronization
import PropertyBased
import StepConfCore
import Testing

@Suite struct WorkflowDriverTests {
    /// a → {b, c} → d: b and c are ready together; c is short, so d waits for b.
    let diamond = try! WorkflowGraph(
        Workflow(name: "diamond", steps: [
            .init(id: "a", kind: "k", jobs: 1),
            .init(id: "b", kind: "k", jobs: 1, dependsOn: ["a"]),
            .init(id: "c", kind: "k", jobs: 1, dependsOn: ["a"]),
            .init(id: "d", kind: "k", jobs: 1, dependsOn: ["b", "c"]),
        ]))

    /// Runs every step for a fixed time and records what it was shown.
    struct Fixed: StepExecutor {
        let seconds: [Double]
        var launches: [StepLaunch] = []

        mutating func execute(_ launch: StepLaunch) throws -> ExecutedStep<Int> {
            launches.append(launch)
            let finish = launch.ready + seconds[launch.step]
            return ExecutedStep(finish: finish, expectedFinish: finish, outcome: launch.step)
        }
    }

    @Test func stepsStartWhenTheirLastPredecessorEndsAndSeeTheProgressOfThatMoment() throws {
        var executor = Fixed(seconds: [1, 3, 0.5, 2])
        let walk = try WorkflowDriver(graph: diamond).run(&executor, start: 10)
        #expect(executor.launches.map(\.step) == [0, 1, 2, 3])
        #expect(walk.ready == [10, 11, 11, 14])
        #expect(walk.finish == [11, 14, 11.5, 16])
        #expect(walk.completed)
        // c is decided while b runs; d sees both ended, and the first step as finished.
        #expect(executor.launches[2].progress[1] == .running(ready: 11, expectedFinish: 14))
        #expect(executor.launches[3].progress == [
            .finished(ready: 10, finish: 11), .finished(ready: 11, finish: 14), .finished(ready: 11, finish: 11.5), .pending,
        ])
        #expect(WorkflowDriver(graph: diamond).criticalPath(finish: walk.finish) { _ in true } == [0, 1, 3])
    }

    @Test func everyStepStartsAfterItsPredecessorsInOrderOfReadyTime() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let workflow = Fixtures.randomWorkflow(count: Int.random(in: 1...12, using: &rng), rng: &rng)
            let graph = try! WorkflowGraph(workflow)
            var executor = Fixed(seconds: (0..<graph.count).map { _ in Double(Int.random(in: 1...4, using: &rng)) })
            let walk = try! WorkflowDriver(graph: graph).run(&executor)
            #expect(executor.launches.count == graph.count)
            #expect(zip(executor.launches, executor.launches.dropFirst()).allSatisfy { $0.ready <= $1.ready })
            for v in 0..<graph.count {
                #expect(walk.ready[v] == graph.predecessors[v].map { walk.finish[$0] }.max() ?? 0)
                #expect(walk.finish[v] == walk.ready[v] + executor.seconds[v])
            }
        }
    }

    /// Steps that sleep on a real clock; `failing` throws instead; `waitsFor` waits (up to 20 s) until
    /// that other step has started, which only a walk running them side by side allows.
    struct Sleeping: ConcurrentStepExecutor {
        let started = ContinuousClock.now
        let seconds: [Double]
        var failing: Int?
        var waitsFor: (step: Int, on: Int)?
        let running = Running()
        struct Failed: Error {}
        final class Running: Sendable {
            let started = Mutex<Set<Int>>([])
        }

        var now: Double { (ContinuousClock.now - started).seconds }

        func execute(_ launch: StepLaunch, inputs: [Int: [Int]]) async throws -> ExecutedStep<[Int]> {
            running.started.withLock { _ = $0.insert(launch.step) }
            if let waitsFor, waitsFor.step == launch.step {
                var polls = 0
                while !running.started.withLock({ $0.contains(waitsFor.on) }) {
                    polls += 1
                    guard polls < 2000 else { throw Failed() }
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            try await Task.sleep(for: .milliseconds(Int(seconds[launch.step] * 1000)))
            if launch.step == failing { throw Failed() }
            // Each step's outcome lists every step it (transitively) depended on, itself last.
            let seen = Set(inputs.values.flatMap { $0 }).sorted() + [launch.step]
            return ExecutedStep(finish: now, expectedFinish: now, outcome: seen)
        }
    }

    @Test func concurrentStepsRunSideBySideAndReceiveTheirPredecessorsOutcomes() async {
        // b (launched first) cannot end before c has started.
        let walk = await WorkflowDriver(graph: diamond).run(Sleeping(seconds: [0.01, 0.01, 0.01, 0.01], waitsFor: (1, 2)))
        #expect(walk.completed)
        #expect(walk.outcomes[3] == [0, 1, 2, 3])
        #expect(walk.ready[1] == walk.ready[2])
        #expect(walk.ready[3] >= walk.finish[1] && walk.ready[3] >= walk.finish[2])
    }

    @Test func aFailingStepStopsTheWalkAndIsReported() async {
        let walk = await WorkflowDriver(graph: diamond).run(Sleeping(seconds: [0.01, 0.01, 300, 0.01], failing: 1))
        #expect(!walk.completed)
        #expect(walk.failure?.step == 1)
        #expect(walk.outcomes[3] == nil)
        // c (300 s) was cancelled rather than waited for.
        #expect(walk.outcomes[2] == nil)
    }
}
