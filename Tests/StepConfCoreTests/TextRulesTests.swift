import Foundation
import PropertyBased
import StepConfCore
import Testing

/// The small text rules every writer and message shares.
@Suite struct TextRulesTests {
    @Test func aHandWrittenJSONStringReadsBackAsTheTextWritten() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let alphabet: [Character] = ["a", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "😀", "/", " ", "\u{2028}"]
            let text = String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            var literal = ""
            JSONString.append(text, to: &literal)
            #expect(StrictJSON.isJSON(Array(literal.utf8)), "seed \(seed): \(literal)")
            let read = try? JSONDecoder().decode(String.self, from: Data(literal.utf8))
            #expect(read == text, "seed \(seed)")
        }
    }

    @Test func controlCharactersAreEscapedAsUnicodeAndNothingElseIs() {
        var out = ""
        JSONString.append("a\u{1}b\u{1F}é", to: &out)
        #expect(out == "\"a\\u0001b\\u001fé\"")
    }

    @Test func anExcerptKeepsShortTextAndCutsLongTextOnACharacter() {
        #expect(InputError.excerpt("short") == "short")
        let long = String(repeating: "é", count: 100)
        let cut = InputError.excerpt(long)
        #expect(cut.hasSuffix("… (200 bytes)"))
        #expect(cut.dropLast("… (200 bytes)".count).allSatisfy { $0 == "é" })
        #expect(cut.dropLast("… (200 bytes)".count).utf8.count <= InputError.excerptBytes)
        let exactly = String(repeating: "x", count: InputError.excerptBytes)
        #expect(InputError.excerpt(exactly) == exactly)
    }

    @Test func anInputErrorDescribesItselfByItsMessage() {
        let error = InputError(.malformed, "f.json: line 3: no")
        #expect("\(error)" == "f.json: line 3: no" && error.code == .malformed)
        #expect(error == InputError(.malformed, "f.json: line 3: no"))
    }

    @Test func theVersionNamesTheBundleFormatAndTheCommitWhenKnown() {
        #expect(BuildVersion.describe(commit: nil) == "\(BuildVersion.version) (bundle format \(BuildVersion.bundleFormat))")
        #expect(BuildVersion.describe(commit: "abc123").hasSuffix(", commit abc123)"))
        let parts = BuildVersion.version.split(separator: ".")
        #expect(parts.count == 3 && parts.allSatisfy { Int($0) != nil })
    }
}
