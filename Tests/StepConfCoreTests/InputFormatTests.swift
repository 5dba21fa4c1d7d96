import Foundation
import PropertyBased
import StepConfCore
import Testing

/// The formats users hand us: profiles, strict JSON, and the bounds values are read with.
@Suite struct ProfileCSVFormatTests {
    static func sample(_ step: String, _ m: Int, cold: Bool = false) -> ProfileSample {
        ProfileSample(
            step: step, configuration: Configuration(memoryMB: m, inter: 2, intra: 4), jobs: 16, mappingDelaySeconds: 0.125,
            computeSeconds: 1.5, totalSeconds: 1.75, cold: cold)
    }

    @Test func samplesRoundTripThroughTheText() throws {
        let samples = [Self.sample("s01", 1024), Self.sample("video.detect", 10240, cold: true), Self.sample("a,b \"q\"", 512)]
        let text = ProfileCSV.encode(samples)
        #expect(text.hasPrefix(ProfileCSV.columns.joined(separator: ",") + "\n"))
        #expect(try ProfileCSV.decode(text) == samples)
    }

    @Test func columnsMayComeInAnyOrder() throws {
        let text = "cold,total_s,compute_s,mapping_delay_s,jobs,intra,inter,memory_mb,step\nfalse,1.75,1.5,0.125,16,4,2,1024,s01\n"
        #expect(try ProfileCSV.decode(text) == [Self.sample("s01", 1024)])
    }

    @Test(arguments: [
        ("", "empty file"),
        ("step,memory_mb\ns,1\n", "column"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold,extra\n", "extra"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,abc,1,1,1,0,1,1,false\n", "line 2"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,1024,1,1,1,0,-1,1,false\n", "line 2"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,99999999,1,1,1,0,1,1,false\n", "line 2"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,1024,1,1,1,0,1,1,maybe\n", "line 2"),
        ("step,memory_mb,inter,intra,jobs,mapping_delay_s,compute_s,total_s,cold\ns,1024,1,1,1,0,nan,1,false\n", "line 2"),
    ])
    func aBadProfileIsRefusedSayingWhere(text: String, mentions: String) {
        do {
            _ = try ProfileCSV.decode(text, source: "p.csv")
            Issue.record("accepted: \(text.debugDescription)")
        } catch let error as InputError {
            #expect(error.message.hasPrefix("p.csv"), "\(error.message)")
            #expect(error.message.localizedCaseInsensitiveContains(mentions), "\(error.message)")
        } catch {
            Issue.record("not an input error: \(error)")
        }
    }
}

@Suite struct StrictJSONTests {
    func check(_ text: String) throws { try StrictJSON.check(Array(text.utf8), source: "f.json") }

    @Test(arguments: [#"{}"#, #"[]"#, #"{"a": [1, 2.5e3, -0, "x\u00e9\n", true, false, null]}"#, #"  "s"  "#, "12"])
    func validJSONPasses(text: String) throws {
        try check(text)
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, "line 1, column 9"), (#"[1, 2,]"#, "line 1, column 7"), (#"{"a": 1, "a": 2}"#, "twice"),
        ("{\n  \"a\": tru\n}", "line 2"), (#"{"a": 01}"#, "line 1"), (#"{"a": "\x"}"#, "escape"), (#"{"a" 1}"#, "`:`"),
        (#"[1] 2"#, "after the JSON value"), ("", "ends"),
    ])
    func invalidJSONIsRefusedWithItsPlace(text: String, place: String) {
        do {
            try check(text)
            Issue.record("accepted: \(text)")
        } catch let error as InputError {
            #expect(error.message.contains("f.json"), "\(error.message)")
            if !place.isEmpty { #expect(error.message.contains(place), "\(error.message)") }
        } catch {
            Issue.record("not an input error: \(error)")
        }
    }

    @Test(arguments: [
        (#"{"a": 1, "a": 2}"#, true), (#" [1, {"b": null}] "#, true), ("42", true), (#""s""#, true),
        (#"{"a": 1,}"#, false), ("[1,]", false), ("[1] 2", false), ("", false), ("{", false), ("nul", false),
    ])
    func aJSONAPIsCheckAllowsRepeatedKeysButNothingElse(text: String, valid: Bool) {
        #expect(StrictJSON.isJSON(Array(text.utf8)) == valid)
    }

    @Test func nestingDeeperThanTheLimitIsRefusedWithoutRecursingForever() {
        let deep = String(repeating: "[", count: StrictJSON.maxDepth + 5) + String(repeating: "]", count: StrictJSON.maxDepth + 5)
        #expect(throws: InputError.self) { try check(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try check(fine) }
    }

    @Test func randomBytesNeverTrap() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let alphabet = Array(#"{}[]",:0123456789.eE+-truefalsnul\ "#.utf8)
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            _ = try? StrictJSON.check(bytes, source: "random")
        }
    }
}

@Suite struct InputBoundsTests {
    @Test func aValueInsideItsRangeIsKeptAndAnythingElseIsNot() {
        #expect(InputBounds.check(5, in: 1...10) == 5)
        #expect(InputBounds.check(1, in: 1...10) == 1 && InputBounds.check(10, in: 1...10) == 10)
        #expect(InputBounds.check(0.5, in: 1...10) == nil && InputBounds.check(11, in: 1...10) == nil)
        #expect(InputBounds.check(.nan, in: 1...10) == nil && InputBounds.check(.infinity, in: 1...10) == nil)
        #expect(InputBounds.check(-.infinity, in: -Double.greatestFiniteMagnitude...0) == nil)
    }

    @Test func theRangesAreDescribedForMessages() {
        let text = InputBounds.describe(1...Double(InputBounds.maxJobs))
        #expect(text.contains("1") && text.contains("000"), "\(text)")
    }
}

@Suite struct SeededRandomTests {
    @Test func equalSeedsGiveEqualSequencesAndDerivedStreamsDiffer() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        let base = SeededRandom(seed: 7)
        var s1 = base.derived(1), s2 = base.derived(2), s1again = base.derived(1)
        let first = (0..<10).map { _ in s1.next() }
        #expect(first == (0..<10).map { _ in s1again.next() })
        #expect(first != (0..<10).map { _ in s2.next() })
    }

    @Test func theDistributionsHaveTheirMoments() {
        var rng = SeededRandom(seed: 2026)
        let n = 40_000
        let units = (0..<n).map { _ in rng.unit() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(units.reduce(0, +) / Double(n) - 0.5) < 0.01)
        let normals = (0..<n).map { _ in rng.normal() }
        let mean = normals.reduce(0, +) / Double(n)
        let variance = normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean) < 0.02 && abs(variance - 1) < 0.03)
        let factors = (0..<n).map { _ in rng.meanOneLogNormal(cv: 0.1) }
        let fmean = factors.reduce(0, +) / Double(n)
        let fsd = (factors.reduce(0) { $0 + ($1 - fmean) * ($1 - fmean) } / Double(n)).squareRoot()
        #expect(abs(fmean - 1) < 0.005 && abs(fsd - 0.1) < 0.005 && factors.allSatisfy { $0 > 0 })
        #expect(rng.meanOneLogNormal(cv: 0) == 1)
    }
}

@Suite struct LevenbergMarquardtBoundsTests {
    @Test func recoversAnExponentialsParametersFromExactData() {
        let xs = (0..<20).map { Double($0) / 4 }
        let truth = [2.5, 0.7, 0.3]
        let ys = xs.map { truth[0] * exp(-truth[1] * $0) + truth[2] }
        let fit = LevenbergMarquardt().minimize(initial: [1, 0.1, 0]) { p in zip(xs, ys).map { p[0] * exp(-p[1] * $0.0) + p[2] - $0.1 } }
        #expect(fit.converged && fit.cost < 1e-12)
        for (found, expected) in zip(fit.parameters, truth) { #expect(abs(found - expected) < 1e-4) }
    }

    @Test func boundsAreRespected() {
        // The unbounded minimum of (p − 3)² is 3; bounded above by 2, it is 2.
        let fit = LevenbergMarquardt().minimize(initial: [0], lower: [-1], upper: [2]) { p in [p[0] - 3] }
        #expect(abs(fit.parameters[0] - 2) < 1e-9 && fit.parameters[0] <= 2)
    }

    @Test func aResidualThatIsNotANumberEndsTheSearchWithoutTrapping() {
        let fit = LevenbergMarquardt(maxIterations: 50).minimize(initial: [1]) { _ in [.nan] }
        #expect(fit.iterations <= 50)
    }
}

@Suite struct MedianTests {
    @Test(arguments: [([3.0], 3.0), ([1.0, 3], 2.0), ([5.0, 1, 3], 3.0), ([4.0, 1, 3, 2], 2.5)] as [([Double], Double)])
    func theMedianOfAList(values: [Double], expected: Double) {
        #expect(median(values) == expected)
    }
}
