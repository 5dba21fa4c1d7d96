import Foundation
import PropertyBased
import StepConfCore
import Testing

/// The one time pass over the DAG (``WorkflowGraph/finishTimes(start:_:)`` and its relatives) against an independent
/// oracle: every path from a first step, enumerated.
@Suite struct WorkflowScheduleTests {
    /// Every path from the start to each step, by depth-first enumeration: the longest one's length is the step's
    /// finish time, and its step count minus one its depth.
    static func paths(_ graph: WorkflowGraph) -> [[Int]] {
        var all: [[Int]] = []
        func extend(_ path: [Int]) {
            all.append(path)
            for s in graph.successors[path.last!] { extend(path + [s]) }
        }
        extend([graph.start])
        return all
    }

    @Test func finishTimesAreTheLongestPathToEachStep() async {
        await propertyCheck(count: 120, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let graph = try! WorkflowGraph(Fixtures.randomWorkflow(count: Int.random(in: 1...8, using: &rng), rng: &rng))
            let durations = (0..<graph.count).map { _ in Double.random(in: 0...5, using: &rng).rounded() / 2 }
            let finish = graph.finishTimes { durations[$0] }
            let paths = Self.paths(graph)
            for v in 0..<graph.count {
                let longest = paths.filter { $0.last == v }.map { $0.reduce(0.0) { $0 + durations[$1] } }.max() ?? -1
                #expect(abs(finish[v] - longest) < 1e-9, "step \(v): \(finish[v]) vs \(longest) (seed \(seed))")
                let deepest = paths.filter { $0.last == v }.map { $0.count - 1 }.max() ?? -1
                #expect(graph.depths[v] == deepest, "depth of step \(v) (seed \(seed))")
            }
            #expect(abs(graph.makespan { durations[$0] } - (finish.max() ?? 0)) < 1e-12)
        }
    }

    @Test func theCriticalPathIsAPathWhoseLengthIsTheMakespan() async {
        await propertyCheck(count: 120, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let graph = try! WorkflowGraph(Fixtures.randomWorkflow(count: Int.random(in: 1...9, using: &rng), rng: &rng))
            let durations = (0..<graph.count).map { _ in Double(Int.random(in: 0...4, using: &rng)) }
            let finish = graph.finishTimes { durations[$0] }
            let path = graph.criticalPath(finish: finish)
            #expect(path.first == graph.start, "seed \(seed)")
            for (a, b) in zip(path, path.dropFirst()) { #expect(graph.successors[a].contains(b), "seed \(seed)") }
            #expect(abs(path.reduce(0.0) { $0 + durations[$1] } - (finish.max() ?? 0)) < 1e-9, "seed \(seed)")
        }
    }

    @Test func aStartTimeShiftsEveryFinishAndReadyTimeNeverPrecedesIt() throws {
        let graph = try WorkflowGraph(Workflow(name: "d", steps: [
            .init(id: "a", kind: "k", jobs: 1, dependsOn: []),
            .init(id: "b", kind: "k", jobs: 1, dependsOn: ["a"]),
            .init(id: "c", kind: "k", jobs: 1, dependsOn: ["a"]),
            .init(id: "d", kind: "k", jobs: 1, dependsOn: ["b", "c"]),
        ]))
        let durations = [1.0, 2, 5, 1]
        #expect(graph.finishTimes { durations[$0] } == [1, 3, 6, 7])
        #expect(graph.finishTimes(start: 10) { durations[$0] } == [11, 13, 16, 17])
        #expect(graph.readyTime(3, finish: [1, 3, 6, 7]) == 6)
        #expect(graph.readyTime(0, finish: [1, 3, 6, 7], start: 4) == 4)
        // A pending predecessor (−∞) does not hold a step back past the start.
        #expect(graph.readyTime(3, finish: [1, -.infinity, -.infinity, 0], start: 2) == 2)
        #expect(graph.criticalPath(finish: [1, 3, 6, 7]) == [0, 2, 3])
        #expect(graph.depths == [0, 1, 1, 2])
    }

    @Test func tiesGoToTheFirstPredecessorListed() throws {
        let graph = try WorkflowGraph(Workflow(name: "tie", steps: [
            .init(id: "a", kind: "k", jobs: 1, dependsOn: []),
            .init(id: "b", kind: "k", jobs: 1, dependsOn: ["a"]),
            .init(id: "c", kind: "k", jobs: 1, dependsOn: ["a"]),
            .init(id: "d", kind: "k", jobs: 1, dependsOn: ["c", "b"]),
        ]))
        let finish = graph.finishTimes { [1.0, 2, 2, 1][$0] }
        #expect(graph.criticalPath(finish: finish) == [0, 2, 3])
    }
}

/// The fastest and cheapest orders against sorting, the oracle: the first element of a stable sort by the order.
@Suite struct OptionOrderTests {
    /// Indices sorted by `primary`, then `secondary`, then index: the oracle.
    static func stableOrder(primary: [Double], secondary: [Double]) -> [Int] {
        primary.indices.sorted { (a: Int, b: Int) -> Bool in
            if primary[a] != primary[b] { return primary[a] < primary[b] }
            if secondary[a] != secondary[b] { return secondary[a] < secondary[b] }
            return a < b
        }
    }

    @Test func fastestAndCheapestAreTheFirstOfAStableSort() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            Self.checkOrders(seed: seed)
        }
    }

    static func checkOrders(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let n = Int.random(in: 1...12, using: &rng)
        // Few distinct values, so that ties are common.
        var seconds: [Double] = []
        var cost: [Double] = []
        for _ in 0..<n {
            seconds.append(Double(Int.random(in: 1...4, using: &rng)))
            cost.append(Double(Int.random(in: 1...4, using: &rng)))
        }
        let budget = Double(Int.random(in: 0...4, using: &rng))
        let byTime = stableOrder(primary: seconds, secondary: cost)
        let byCost = stableOrder(primary: cost, secondary: seconds)
        let fits = byCost.filter { seconds[$0] <= budget }
        let fastest = OptionOrder.fastest(n, seconds: { seconds[$0] }, cost: { cost[$0] })
        let cheapest = OptionOrder.cheapest(n, seconds: { seconds[$0] }, cost: { cost[$0] })
        let cheapestWithin = OptionOrder.cheapest(n, within: budget, seconds: { seconds[$0] }, cost: { cost[$0] })
        #expect(fastest == byTime.first, "seed \(seed)")
        #expect(cheapest == byCost.first, "seed \(seed)")
        #expect(cheapestWithin == fits.first, "seed \(seed)")
    }

    @Test func stepOptionsUseTheSameOrders() {
        let options = StepOptions(
            configurations: (0..<4).map { Configuration(memoryMB: 1024 * ($0 + 1), inter: 1, intra: 1) },
            seconds: [2, 1, 1, 3], costUSD: [1, 3, 2, 1])
        #expect(options.fastest == 2, "the faster of two at 1 s is the cheaper")
        #expect(options.cheapest == 0, "the cheaper of two at $1 is the faster")
        #expect(options.cheapest(within: 1.5) == 2)
        #expect(options.cheapest(within: 0.5) == nil)
        #expect(options.paretoIndices() == [2, 0])
    }

    @Test func noOptionsHaveNoFastestAndNaNNeverFits() {
        #expect(OptionOrder.fastest(0, seconds: { _ in 0 }, cost: { _ in 0 }) == nil)
        #expect(OptionOrder.cheapest(0, seconds: { _ in 0 }, cost: { _ in 0 }) == nil)
        #expect(OptionOrder.cheapest(2, within: 10, seconds: { _ in .nan }, cost: { _ in 1 }) == nil)
    }
}

/// The driver's walk and the graph's time pass are one rule: for fixed durations they give the same times.
@Suite struct DriverAndTimePassTests {
    struct Fixed: StepExecutor {
        let seconds: [Double]
        mutating func execute(_ launch: StepLaunch) throws -> ExecutedStep<Void> {
            let finish = launch.ready + seconds[launch.step]
            return ExecutedStep(finish: finish, expectedFinish: finish, outcome: ())
        }
    }

    @Test func theDriversTimesAreTheForwardPassAndTheirCriticalPathsAgree() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let graph = try! WorkflowGraph(Fixtures.randomWorkflow(count: Int.random(in: 1...10, using: &rng), rng: &rng))
            let seconds = (0..<graph.count).map { _ in Double(Int.random(in: 1...5, using: &rng)) / 4 }
            var executor = Fixed(seconds: seconds)
            let walk = try! WorkflowDriver(graph: graph).run(&executor, start: 3)
            let pass = graph.finishTimes(start: 3) { seconds[$0] }
            #expect(walk.finish == pass, "seed \(seed)")
            let fromDriver = WorkflowDriver(graph: graph).criticalPath(finish: walk.finish) { _ in true }
            #expect(fromDriver == graph.criticalPath(finish: pass, endingAt: graph.end), "seed \(seed)")
            #expect(fromDriver.last == graph.end && fromDriver.first == graph.start, "seed \(seed)")
            // Durations are positive, so the end step is the one that ends last and both ends agree.
            #expect(graph.criticalPath(finish: pass) == fromDriver, "seed \(seed)")
        }
    }

    @Test func aPathOnlyThroughStepsThatRan() throws {
        let graph = try WorkflowGraph(Workflow(name: "d", steps: [
            .init(id: "a", kind: "k", jobs: 1), .init(id: "b", kind: "k", jobs: 1, dependsOn: ["a"]),
            .init(id: "c", kind: "k", jobs: 1, dependsOn: ["a"]), .init(id: "d", kind: "k", jobs: 1, dependsOn: ["b", "c"]),
        ]))
        let finish = [1.0, 9, 3, 10]
        #expect(graph.criticalPath(finish: finish) == [0, 1, 3])
        #expect(graph.criticalPath(finish: finish, ran: { $0 != 1 }) == [0, 2, 3], "b did not run: the path goes through c")
        #expect(graph.criticalPath(finish: finish, endingAt: 3, ran: { $0 != 3 }).isEmpty, "the end did not run")
    }
}
