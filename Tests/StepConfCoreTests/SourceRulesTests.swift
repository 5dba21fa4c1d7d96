import Foundation
import StepConfTestSupport
import Testing

/// The rules the code keeps so that it stays one of each (docs: architecture): each wire name spelled in one file,
/// no message built by hand, no Python inside Swift, no function longer than a screen. A rule broken here names the
/// file and line to fix.
@Suite struct SourceRulesTests {
    /// Every Swift file of `Sources` but the generated ones, with its text.
    static let sources: [(path: String, text: String)] = {
        let root = TestPaths.file("Sources")
        let walker = FileManager.default.enumerator(atPath: root)
        var files: [(String, String)] = []
        while let relative = walker?.nextObject() as? String {
            guard relative.hasSuffix(".swift"), !relative.hasPrefix("StepConfExamples/"), !relative.hasSuffix("+Embedded.swift")
            else { continue }
            if let text = try? String(contentsOfFile: root + "/" + relative, encoding: .utf8) { files.append(("Sources/" + relative, text)) }
        }
        return files.sorted { $0.0 < $1.0 }
    }()

    static func files(containing needle: String) -> [String] { sources.filter { $0.text.contains(needle) }.map(\.path) }

    @Test(arguments: [
        "\"slo_percentile\"", "\"entered_time\"", "\"start_time\"", "Lambda-Runtime-Aws-Request-Id", "2018-06-01/runtime",
        "\"AWS_LAMBDA_RUNTIME_API\"", "\"_HANDLER\"", "-configurator\"",
    ])
    func aWireNameIsSpelledInOneFile(name: String) {
        let found = Self.files(containing: name)
        #expect(found.count <= 1, "\(name) is spelled in \(found)")
    }

    @Test func noMessageIsBuiltByHand() {
        #expect(Self.files(containing: "JSONSerialization").isEmpty, "\(Self.files(containing: "JSONSerialization"))")
        #expect(Self.files(containing: "[String: Any]").isEmpty, "\(Self.files(containing: "[String: Any]"))")
    }

    /// The modules the Lambda `bootstrap` links import FoundationEssentials, never Foundation: Foundation proper brings
    /// CoreFoundation and ICU's tables, three times the binary's size and a slower cold start (docs/lambda.md).
    @Test func theBootstrapsModulesNeverImportFoundation() {
        let modules = [
            "StepConfCore", "StepConfStorage", "StepConfHTTP", "StepConfLambda", "StepConfAWS", "StepConfSQLite", "StepConfWorker",
            "StepConfFunctions", "bootstrap",
        ]
        let found = Self.sources.filter { file in
            modules.contains { file.path.hasPrefix("Sources/\($0)/") }
                && file.text.split(separator: "\n").contains { $0.hasSuffix("import Foundation") }
        }.map(\.path)
        #expect(found.isEmpty, "\(found)")
    }

    @Test func noPythonLivesInsideSwift() {
        let markers = ["\nimport sys", "\n        import sys", "from moto", "def __", "if __name__"]
        let found = Self.sources.filter { file in markers.contains { file.text.contains($0) } }.map(\.path)
        #expect(found.isEmpty, "\(found)")
    }

    /// Functions longer than `limit` lines: a declaration line, then its braces matched (strings and comments
    /// skipped).
    static func longFunctions(in text: String, limit: Int) -> [(line: Int, name: String, length: Int)] {
        let lines = text.components(separatedBy: "\n")
        var found: [(Int, String, Int)] = []
        let declaration = try! Regex(#"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|static|override|mutating|nonisolated|final|class|convenience)\s+)*(func\s+[^\s(<]+|init[?!]?\s*[(<])"#)
        for (start, line) in lines.enumerated() {
            guard let match = line.firstMatch(of: declaration) else { continue }
            var depth = 0
            var opened = false
            var end = start
            scan: while end < lines.count {
                var inString = false
                var previous: Character = " "
                for ch in lines[end] {
                    if inString {
                        if ch == "\"" && previous != "\\" { inString = false }
                    } else if ch == "\"" {
                        inString = true
                    } else if ch == "/" && previous == "/" {
                        break
                    } else if ch == "{" {
                        depth += 1
                        opened = true
                    } else if ch == "}" {
                        depth -= 1
                    }
                    previous = ch
                }
                if opened && depth <= 0 { break scan }
                if !opened && end > start + 15 { break scan }  // a protocol requirement: no body
                end += 1
            }
            let length = end - start + 1
            if opened, length > limit { found.append((start + 1, String(line[match.range].trimmingCharacters(in: .whitespaces)), length)) }
        }
        return found
    }

    @Test func noFunctionIsLongerThanEightyLines() {
        var long: [String] = []
        for file in Self.sources {
            for f in Self.longFunctions(in: file.text, limit: 80) { long.append("\(file.path):\(f.line) \(f.name) (\(f.length) lines)") }
        }
        #expect(long.isEmpty, "split these into functions named for their phases: \(long)")
    }

    @Test func theLengthCheckFindsALongFunctionAndSkipsBracesInStrings() {
        let body = (0..<90).map { "    let x\($0) = \"{\" // }" }.joined(separator: "\n")
        let text = "struct S {\n    public func long() {\n\(body)\n    }\n    func short() { }\n}\n"
        let found = Self.longFunctions(in: text, limit: 80)
        #expect(found.count == 1 && found.first?.line == 2 && found.first?.length == 92)
    }
}
