import Foundation
import PropertyBased
import StepConfCore
import Testing

/// Mutated messages decode to a value or an error, never a trap: whatever arrives over the wire is input.
@Suite struct MessageFuzzTests {
    static let samples: [(String, Data)] = {
        let encoder = JSONEncoder()
        let event = ConfiguratorEvent(
            workflow: "video", step: "detect", execution: "arn:x:e", sloSeconds: 12.5, sloPercentile: 99, startTime: 1_700_000_000,
            input: StepInput(after: ["extract": [.init(outputs: ["a/0", "a/1"])]]), enteredTime: "2026-12-02T10:00:00.123Z")
        let stepEvent = StepEvent(
            execution: "e", step: "s", index: 1, intra: 4, jobStart: 10, jobEnd: 20, keys: ["k"], params: ["difficulty": 4000])
        let answer = ConfiguratorOutput(
            run: "r",
            decision: .init(
                policy: "stepconf", workflow: "w", step: "s", execution: "e", elapsedSeconds: 1, remainingSeconds: 2,
                subSLOSeconds: 0.5, predictedSeconds: 0.4, predictedCostUSD: 1e-6, fallback: false, decisionMicroseconds: 30,
                decidedAhead: []),
            steps: ["s": .init(
                memoryMB: 1024, inter: 2, intra: 1, function: "f", items: [.init(index: 0, instances: 2, intra: 1, jobStart: 0, jobEnd: 3)],
                predictedSeconds: 0.4, fallback: false)])
        return [
            ("event", try! encoder.encode(event)), ("step", try! encoder.encode(stepEvent)), ("answer", try! encoder.encode(answer)),
            ("input", try! encoder.encode(ExecutionInput(sloSeconds: 3, sloPercentile: 95, input: StepInput(keys: ["x"])))),
        ]
    }()

    /// Replaces, deletes or inserts a few bytes, often with ones that matter to JSON and numbers.
    static func mutate(_ data: Data, _ rng: inout SeededRandom) -> Data {
        var bytes = Array(data)
        let interesting = Array(#"{}[]",:-0123456789eE.+ntfu\"#.utf8) + [0x00, 0xFF, 0xC3]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0...3, using: &rng) {
            case 0: bytes[at] = interesting.randomElement(using: &rng)!
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(interesting.randomElement(using: &rng)!, at: at)
            default:
                let number = ["1e308", "-1e308", "9223372036854775808", "-9223372036854775809", "1e-400", "NaN", "0.0000001"]
                bytes.insert(contentsOf: Array(number.randomElement(using: &rng)!.utf8), at: at)
            }
        }
        return Data(bytes)
    }

    @Test func mutatedMessagesDecodeOrFailButNeverTrap() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...10_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let (name, sample) = Self.samples.randomElement(using: &rng)!
            let mutated = Self.mutate(sample, &rng)
            let decoder = JSONDecoder()
            switch name {
            case "event": _ = try? decoder.decode(ConfiguratorEvent.self, from: mutated)
            case "step": _ = try? decoder.decode(StepEvent.self, from: mutated)
            case "answer": _ = try? decoder.decode(ConfiguratorOutput.self, from: mutated)
            default: _ = try? decoder.decode(ExecutionInput.self, from: mutated)
            }
            _ = try? decoder.decode(JSONValue.self, from: mutated)
            _ = StrictJSON.isJSON(Array(mutated))
        }
    }

    @Test func theUnmutatedSamplesDecode() throws {
        let decoder = JSONDecoder()
        for (name, sample) in Self.samples {
            switch name {
            case "event": _ = try decoder.decode(ConfiguratorEvent.self, from: sample)
            case "step": _ = try decoder.decode(StepEvent.self, from: sample)
            case "answer": _ = try decoder.decode(ConfiguratorOutput.self, from: sample)
            default: _ = try decoder.decode(ExecutionInput.self, from: sample)
            }
            #expect(StrictJSON.isJSON(Array(sample)), "\(name)")
        }
    }
}
