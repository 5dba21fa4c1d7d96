import Foundation
import Testing

@testable import StepConfFunctions

@Suite struct EngineTimestampTests {
    @Test(arguments: [
        ("2023-11-14T22:13:20.123Z", 1_700_000_000.5, "2023-11-14T22:13:20.500Z"),
        ("2026-11-30T16:00:00.123456+00:00", 1_700_000_000.25, "2023-11-14T22:13:20.250000+00:00"),
        ("2026-11-30T16:00:00+00:00", 951_782_400.9, "2000-02-29T00:00:00+00:00"),
        ("2026-11-30T16:00:00Z", 0, "1970-01-01T00:00:00Z"),
    ])
    func writesTimesInTheSamplesFormat(sample: String, unix: Double, expected: String) throws {
        let format = try #require(EngineTimestamp(sample: sample))
        #expect(format.format(unixSeconds: unix) == expected)
    }

    @Test func timesInOneFormatSortAsTheyFall() throws {
        let format = try #require(EngineTimestamp(sample: "2026-11-30T16:00:00.123Z"))
        var last = ""
        for unix in stride(from: 1_700_000_000.0, to: 1_700_400_000.0, by: 3_333.217) {
            let text = try #require(format.format(unixSeconds: unix))
            #expect(text > last)
            last = text
        }
    }

    @Test(arguments: ["", "yesterday", "2026-11-30T16:00:00.123+01:00", "2026-11-30 16:00:00Z", "2026-11-30T16:00:00."])
    func samplesNotInUTCOrNotTimesGiveNoFormat(sample: String) {
        #expect(EngineTimestamp(sample: sample) == nil)
    }

    @Test func timesOutOfRangeAreNotWritten() throws {
        let format = try #require(EngineTimestamp(sample: "2026-11-30T16:00:00Z"))
        #expect(format.format(unixSeconds: .nan) == nil && format.format(unixSeconds: -1) == nil && format.format(unixSeconds: 1e300) == nil)
    }
}
