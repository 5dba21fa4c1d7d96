import Foundation
import Logging
import PropertyBased
import StepConfCore
import StepConfLambda
import Testing

/// Whatever a handler logs — quotes, control characters, any Unicode, nested metadata — each record is one line of
/// JSON that Lambda's JSON log format reads back as it was said.
@Suite struct LambdaLogPropertyTests {
    static func text(_ rng: inout SeededRandom) -> String {
        String((0..<Int.random(in: 0...20, using: &rng)).map { _ in
            Array("ab \"\\\n\r\t\u{0}\u{1B}é€😀{}[]:,").randomElement(using: &rng)!
        })
    }

    @Test func everyRecordIsOneLineOfJSONSayingWhatWasLogged() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let message = Self.text(&rng)
            let level = Logger.Level.allCases.randomElement(using: &rng)!
            var metadata: Logger.Metadata = ["aws-request-id": .string(Self.text(&rng))]
            metadata["step"] = .string(Self.text(&rng))
            metadata["nested"] = .dictionary(["k": .array([.string(Self.text(&rng)), .stringConvertible(42)])])
            let line = LambdaLogHandler.line(timestampMs: 1_700_000_000_123, level: level, message: message, metadata: metadata)
            #expect(!line.contains("\n"), "one line (seed \(seed))")
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                Issue.record("not JSON (seed \(seed)): \(line)")
                return
            }
            #expect(object["message"] as? String == message, "seed \(seed)")
            #expect(object["level"] as? String == LambdaLogHandler.lambdaName(level), "seed \(seed)")
            #expect(object["aws-request-id"] as? String == metadata["aws-request-id"]?.description, "seed \(seed)")
            #expect(object["timestamp"] != nil, "seed \(seed)")
        }
    }
}
