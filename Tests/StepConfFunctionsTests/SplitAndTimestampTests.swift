import Foundation
import PropertyBased
import StepConfCore
import Testing

@testable import StepConfFunctions

/// How a step is split over its instances, and the engine's time format, against their definitions.
@Suite struct SplitAndTimestampTests {
    @Test func instancesPartitionTheJobsAndTheKeysEvenly() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let jobs = Int.random(in: 0...200, using: &rng), inter = Int.random(in: 1...40, using: &rng)
            let ranges = (0..<inter).map { InstanceSplit.range(instance: $0, of: inter, count: jobs) }
            #expect(ranges.flatMap { Array($0) } == Array(0..<jobs), "in order, each once (seed \(seed))")
            let sizes = ranges.map(\.count)
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "seed \(seed)")
            #expect(InstanceSplit.range(instance: inter, of: inter, count: jobs).isEmpty, "no instance past the last")
            #expect(InstanceSplit.range(instance: 0, of: 0, count: jobs).isEmpty && InstanceSplit.range(instance: -1, of: 2, count: 4).isEmpty)
            // The configurator's items carry the same split.
            let items = ConfiguratorOutput.Planned.items(jobs: jobs, inter: inter, intra: 3)
            #expect(items.map { $0.jobStart..<$0.jobEnd } == ranges, "seed \(seed)")
            #expect(items.allSatisfy { $0.instances == inter && $0.intra == 3 } && items.map(\.index) == Array(0..<inter))
        }
    }

    @Test func aTimeWrittenInTheEnginesFormatSortsAsTheTimesFallAndReadsBack() async throws {
        let formats = try ["2026-11-30T16:00:00.123Z", "2026-11-30T16:00:00.123456+00:00", "2026-11-30T16:00:00Z"].map {
            try #require(EngineTimestamp(sample: $0))
        }
        await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let format = formats[seed % formats.count]
            let a = Double(Int.random(in: 0...4_000_000_000, using: &rng)) + rng.unit()
            let b = a + (rng.unit() < 0.5 ? rng.unit() * 0.01 : rng.unit() * 100_000)
            let ta = format.format(unixSeconds: a)!, tb = format.format(unixSeconds: b)!
            #expect(ta <= tb, "seed \(seed): \(ta) vs \(tb)")
            #expect(ta.count == tb.count, "one width for every time (seed \(seed))")
            // Read back (as the configurator reads $$.Execution.StartTime), never later than the time written.
            let read = ConfiguratorEvent.parseStartTime(ta)
            if format.fractionDigits <= 3, let read {
                #expect(read <= a + 1e-6 && a - read < pow(10, -Double(format.fractionDigits)) + 1e-6, "seed \(seed)")
            }
        }
    }
}
