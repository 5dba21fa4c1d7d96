import Foundation
import PropertyBased
import StepConfCore
import Testing

/// Random messages survive the wire both ways, and the JSON checks agree with each other.
@Suite struct MessagePropertyTests {
    static func text(_ rng: inout SeededRandom) -> String {
        String((0..<Int.random(in: 0...12, using: &rng)).map { _ in Array("ab/:-_ é\"\\\n€").randomElement(using: &rng)! })
    }

    @Test func randomEventsAndInputsRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let keys = (0..<Int.random(in: 0...5, using: &rng)).map { _ in Self.text(&rng) }
            let after = Bool.random(using: &rng)
                ? ["p\(Int.random(in: 0...9, using: &rng))": (0..<Int.random(in: 0...3, using: &rng)).map { _ in StepInput.InstanceResult(outputs: keys) }]
                : nil
            let input = StepInput(keys: Bool.random(using: &rng) ? keys : nil, after: after)
            let event = ConfiguratorEvent(
                workflow: Self.text(&rng), step: Self.text(&rng), execution: Self.text(&rng), sloSeconds: rng.unit() * 1000,
                sloPercentile: Bool.random(using: &rng) ? rng.unit() * 100 : nil, startTime: Double(Int.random(in: 0...2_000_000_000, using: &rng)),
                input: Bool.random(using: &rng) ? input : nil, enteredTime: Bool.random(using: &rng) ? Self.text(&rng) : nil)
            let decoded = try? JSONDecoder().decode(ConfiguratorEvent.self, from: try! JSONEncoder().encode(event))
            #expect(decoded == event, "seed \(seed)")
            let execution = ExecutionInput(sloSeconds: event.sloSeconds, sloPercentile: event.sloPercentile, input: event.input)
            let again = try? JSONDecoder().decode(ExecutionInput.self, from: try! JSONEncoder().encode(execution))
            #expect(again == execution, "seed \(seed)")
            // The event's input splits over any fan-out into shares that cover its keys once, in order.
            let p = Int.random(in: 1...6, using: &rng)
            #expect((0..<p).flatMap { input.share(instance: $0, of: p) } == input.allKeys, "seed \(seed)")
        }
    }

    @Test func theTwoJSONChecksAgreeOnTextWithoutRepeatedKeys() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            // Short texts from JSON's own characters: mostly invalid, some valid, keys rarely repeat.
            let alphabet = Array(#"{}[]"a:,1 -.eE0tfn"#.utf8)
            let bytes = (0..<Int.random(in: 0...14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let strict = (try? StrictJSON.check(bytes, source: "x")) != nil
            let lenient = StrictJSON.isJSON(bytes)
            #expect(!strict || lenient, "what the strict check takes, a JSON API takes (seed \(seed))")
            if lenient && !strict {
                // The only difference allowed: a key that repeats.
                do {
                    try StrictJSON.check(bytes, source: "x")
                } catch let error as InputError {
                    #expect(error.message.contains("appears twice"), "seed \(seed): \(String(decoding: bytes, as: UTF8.self)) — \(error.message)")
                } catch {}
            }
        }
    }
}
