import Foundation
import StepConfCore
import Testing

@Suite struct PlatformTests {
    static func decode(_ text: String) throws -> Platform { try Platform.decode(Data(text.utf8), source: "p.json") }

    @Test func anEmptyFileIsAWSAsDesignedAndRoundTrips() throws {
        let platform = try Self.decode("{}")
        #expect(platform.pricePerRequest == Platform.aws.pricePerRequest && platform.grid == Platform.aws.grid)
        #expect(platform.priceX86PerGBSecond == 0.0000166667 && platform.pricePerTransition == 0.000025)
        #expect(platform.grid.memoryMB == [512, 1024, 1536, 2048, 4096, 6144, 8192, 10240])
        #expect(platform.grid.inter == [1, 2, 4, 8, 16, 32] && platform.grid.intra == [1, 2, 4, 8])
        let again = try Platform.decode(try JSONEncoder().encode(platform), source: "again")
        #expect(again.coreTiers == platform.coreTiers && again.keepAliveSeconds == platform.keepAliveSeconds)
    }

    @Test(arguments: [(128, 2), (1769, 2), (3008, 2), (3009, 3), (5307, 3), (7076, 4), (8845, 5), (10240, 6)])
    func visibleCoresFollowLambdasTiers(memoryMB: Int, cores: Int) {
        #expect(Platform.aws.visibleCores(memoryMB: memoryMB) == cores)
    }

    @Test func usableCoresAreTheCreditCappedByTheCoresAndShareAMachinesCores() {
        let aws = Platform.aws
        #expect(abs(aws.usableCores(memoryMB: 1769) - 1) < 1e-12)
        #expect(abs(aws.usableCores(memoryMB: 884) - 884.0 / 1769) < 1e-12)
        #expect(aws.usableCores(memoryMB: 10240) == 10240.0 / 1769, "5.79 of 6 cores")
        #expect(aws.visibleCores(memoryMB: 64) == nil && aws.visibleCores(memoryMB: 20_000) == nil)
        var host = Platform.aws
        host.coreTiers = [.init(upToMemoryMB: 10_240, cores: 2, shared: true)]
        #expect(host.usableCores(memoryMB: 4096, instances: 1) == 2)
        #expect(host.usableCores(memoryMB: 4096, instances: 4) == 0.5, "four instances share two cores")
        #expect(host.usableCores(memoryMB: 512, instances: 4) == 512.0 / 1769, "the credit binds first")
    }

    @Test(arguments: [
        (#"{"price_per_request": -1}"#, "price_per_request"), (#"{"price_x86_per_gb_second": 1e9}"#, "price_x86_per_gb_second"),
        (#"{"min_memory_mb": 64}"#, "min_memory_mb"), (#"{"grid": {"memory_mb": [], "inter": [1], "intra": [1]}}"#, "grid"),
        (#"{"grid": {"memory_mb": [99999], "inter": [1], "intra": [1]}}"#, "grid.memory_mb[0]"),
        (#"{"grid": {"memory_mb": [512], "inter": [0], "intra": [1]}}"#, "grid.inter[0]"),
        (#"{"grid": {"memory_mb": [512, 512], "inter": [1], "intra": [1]}}"#, "repeats"),
        (#"{"core_tiers": [{"up_to_memory_mb": 1024, "cores": 2}]}"#, "core_tiers"),
        (#"{"transitions_per_step": 5000}"#, "transitions_per_step"), (#"{"keep_alive_s": -5}"#, "keep_alive_s"),
        (#"{"price_per_request": "cheap"}"#, "price_per_request"), (#"{"grid": 7}"#, "grid"), (#"{"price_per_request": 1,}"#, "line 1"),
    ])
    func aBadPlatformIsRefusedNamingTheField(text: String, field: String) {
        do {
            _ = try Self.decode(text)
            Issue.record("accepted \(text)")
        } catch let error as InputError {
            #expect(error.message.hasPrefix("p.json") && error.message.contains(field), "\(error.message)")
        } catch {
            Issue.record("not an input error: \(error)")
        }
    }
}

@Suite struct ConfigurationGridTests {
    @Test func aGridCountsAndRestrictsItsAxes() {
        let grid = ConfigurationGrid.paper
        #expect(grid.count == 8 * 6 * 4)
        let nono = grid.restricted(inter: [1], intra: [1])
        #expect(nono.count == 8 && nono.memoryMB == grid.memoryMB)
        #expect(grid.restricted(intra: [1]).count == 8 * 6)
    }

    @Test func aStepRunsOnlyWhatItsJobsAndMemoryAllow() {
        let grid = ConfigurationGrid(memoryMB: [128, 1024], inter: [1, 2, 8], intra: [1, 4])
        let step = Workflow.Step(id: "s", kind: "synthetic", jobs: 2, dependsOn: [], params: ["worker_memory_mb": 200])
        let runnable = grid.runnable(by: step)
        #expect(!runnable.isEmpty)
        // No more instances than jobs; 128 MB cannot hold even one 200 MB worker.
        #expect(runnable.allSatisfy { $0.inter <= 2 && $0.memoryMB == 1024 })
        #expect(runnable.allSatisfy { step.canRun($0) })
    }
}

@Suite struct CachedEntriesTests {
    @Test func mergingScopesIsOrderFreeAndKeepsTheEarlierDeadline() {
        let a = CachedScope(deadline: 5, members: ["x", "y"])
        let b = CachedScope(deadline: 3, members: ["y", "z"])
        let ab = a.merged(with: b), ba = b.merged(with: a)
        #expect(ab.deadline == 3 && ba.deadline == 3)
        #expect(Set(ab.members) == Set(ba.members) && Set(ab.members) == ["x", "y", "z"])
        #expect(ab.members.count == 3, "no member twice")
        #expect(a.merged(with: a) == a)
    }

    @Test func aStoredPlanFitsOnlyTheSpaceItWasMadeFor() throws {
        let workflow = Workflow(name: "w", steps: [
            .init(id: "a", kind: "synthetic", jobs: 4, dependsOn: []), .init(id: "b", kind: "synthetic", jobs: 4, dependsOn: ["a"]),
        ])
        let graph = try WorkflowGraph(workflow)
        var rng = SplitMix64(seed: 3)
        let model = Fixtures.randomModel(for: workflow, rng: &rng)
        let space = try ConfigurationSpace(graph: graph, model: model, platform: .aws, includesConfigurator: false)
        let fits = CachedPlan(choice: [0, space.steps[1].count - 1])
        let decisions = try #require(fits.decisions(in: space))
        #expect(decisions.map(\.option) == [0, space.steps[1].count - 1])
        #expect(CachedPlan(choice: [0]).decisions(in: space) == nil, "another workflow's plan")
        #expect(CachedPlan(choice: [0, space.steps[1].count]).decisions(in: space) == nil, "another grid's plan")
        #expect(CachedPlan(choice: [-1, 0]).decisions(in: space) == nil)
        let text = try JSONEncoder().encode(fits)
        #expect(try JSONDecoder().decode(CachedPlan.self, from: text) == fits)
    }
}
