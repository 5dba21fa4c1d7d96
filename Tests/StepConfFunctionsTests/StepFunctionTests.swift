import Foundation
import StepConfCore
import StepConfExamples
import StepConfFunctions
import StepConfLambda
import StepConfTestSupport
import StepConfWorker
import Testing

@Suite struct WordCountTests {
    @Test func wordsAreRunsOfLettersDigitsAndApostrophesLowerCased() {
        let counts = WordCount.count(Data("The cat's hat, THE cat.\nIt's 42 - 42! Café".utf8))
        #expect(counts == ["the": 2, "cat's": 1, "hat": 1, "cat": 1, "it's": 1, "42": 2, "café": 1])
        #expect(WordCount.count(Data()) == [:] && WordCount.count(Data("  ,.;  ".utf8)) == [:])
    }

    @Test func countingPiecesAndMergingEqualsCountingTheWhole() {
        let corpus = WordCount.corpus(files: 12, wordsPerFile: 80, seed: 9)
        let whole = WordCount.count(Data(corpus.map(\.text).joined(separator: "\n").utf8))
        let parts = corpus.map { WordCount.count(Data($0.text.utf8)) }
        #expect(WordCount.merge(parts) == whole)
        #expect(WordCount.merge([]) == [:])
    }

    @Test func countsRoundTripAsSortedJSONAndAnythingElseIsRefused() throws {
        let counts = ["b": 2, "a": 1, "é": 3]
        let data = try WordCount.encode(counts)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("{\"a\":1"))
        #expect(try WordCount.decode(data) == counts)
        for bad in ["[1]", "{\"a\": 1.5}", "{\"a\": \"x\"}", "not json", ""] {
            #expect(throws: (any Error).self) { try WordCount.decode(Data(bad.utf8)) }
        }
    }

    @Test func theCorpusIsDeterministicForASeedAndNamesItsFiles() {
        let a = WordCount.corpus(files: 3, wordsPerFile: 50, seed: 4)
        let b = WordCount.corpus(files: 3, wordsPerFile: 50, seed: 4)
        let c = WordCount.corpus(files: 3, wordsPerFile: 50, seed: 5)
        #expect(a.map(\.text) == b.map(\.text) && a.map(\.text) != c.map(\.text))
        #expect(a.map(\.name) == ["text-000.txt", "text-001.txt", "text-002.txt"])
        #expect(a.allSatisfy { $0.text.split(separator: " ").count == 50 })
    }
}

@Suite struct SyntheticStepTests {
    @Test func jobsFollowTheEventsRangeAndTheKernelIsDeterministic() throws {
        let step = SyntheticStep()
        let event = StepEvent(execution: "e", step: "s", jobStart: 3, jobEnd: 7, params: ["difficulty": 200])
        let jobs = try step.jobs(for: event, inputs: [:])
        #expect(jobs.count == 4)
        let first = try jobs.map { try step.kernel($0) }
        let again = try jobs.map { try step.kernel($0) }
        #expect(first == again)
        #expect(Set(first).count > 1, "different jobs compute different results")
    }

    @Test func aDifficultyOutsideItsRangeIsRefused() {
        let step = SyntheticStep()
        for difficulty in [-1.0, Double(SyntheticStep.maxDifficulty) * 10, .nan, .infinity] {
            let event = StepEvent(execution: "e", step: "s", jobEnd: 1, params: ["difficulty": difficulty])
            #expect(throws: (any Error).self, "difficulty \(difficulty)") { _ = try step.jobs(for: event, inputs: [:]).map(step.kernel) }
        }
    }

    @Test func theALUIsAPureFunctionOfItsInputs() {
        #expect(SyntheticStep.alu(seed: 1, job: 2, range: 0..<100) == SyntheticStep.alu(seed: 1, job: 2, range: 0..<100))
        #expect(SyntheticStep.alu(seed: 1, job: 2, range: 0..<100) != SyntheticStep.alu(seed: 1, job: 3, range: 0..<100))
    }
}

@Suite struct HandlerRegistryTests {
    static func environment(_ handler: String, _ extra: [String: String] = [:]) -> LambdaEnvironment {
        LambdaEnvironment(
            [LambdaWire.Variable.handler.rawValue: handler, LambdaWire.Variable.memorySize.rawValue: "1024"]
                .merging(extra) { $1 })
    }

    @Test func everyNamedHandlerCanBeMadeAndTheNamesAreTheStepKinds() throws {
        let directory = PrivateDirectory("registry")
        for (name, text) in EmbeddedExamples.files { try directory.write("workflows/\(name)", Data(text.utf8)) }
        #expect(HandlerRegistry.names.first == "configurator")
        #expect(Set(HandlerRegistry.names.dropFirst()) == Set(StepFunctions.all.keys))
        for name in HandlerRegistry.names {
            let made = try HandlerRegistry.make(Self.environment(name, [
                FunctionEnvironment.Variable.workflowDirectory.rawValue: directory.file("workflows"), FunctionEnvironment.Variable.cachePath.rawValue: directory.file("cache.db"),
                FunctionEnvironment.Variable.store.rawValue: directory.file("store"),
            ]))
            _ = made
        }
    }

    @Test func anUnknownHandlerNamesTheOnesThereAre() {
        do {
            _ = try HandlerRegistry.make(Self.environment("nope"))
            Issue.record("an unknown handler was made")
        } catch {
            let text = "\(error)"
            #expect(text.contains("nope") && text.contains("configurator"))
        }
    }
}
