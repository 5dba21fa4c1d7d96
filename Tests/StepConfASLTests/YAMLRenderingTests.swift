import Foundation
import PropertyBased
import StepConfASL
import StepConfCore
import StepConfTestSupport
import Testing

/// The template is written as YAML by our own writer; a real YAML reader (PyYAML's safe loader, as cfn-lint and SAM
/// use) must read back exactly the JSON value written.
@Suite struct YAMLRenderingTests {
    static func value(_ rng: inout SeededRandom, depth: Int = 0) -> JSONValue {
        let strings = ["", "yes", "no", "null", "1.5", "0x1F", "~", "- item", "a: b", "#x", "${FunctionPrefix}-m2048", "é\n\"q\"", "!Ref X"]
        switch Int.random(in: 0...(depth > 2 ? 4 : 6), using: &rng) {
        case 0: return .string(strings.randomElement(using: &rng)!)
        case 1: return .int(Int.random(in: -1000...100_000, using: &rng))
        case 2: return .number(Double(Int.random(in: -100...100, using: &rng)) + 0.25)
        case 3: return .bool(Bool.random(using: &rng))
        case 4: return .null
        case 5: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
        default:
            let keys = ["Type", "Properties", "a b", "1key", "x:y", "Fn::Sub", "-k", "日本"]
            let chosen = Set((0..<Int.random(in: 0...3, using: &rng)).map { _ in keys.randomElement(using: &rng)! })
            return .object(chosen.sorted().map { ($0, value(&rng, depth: depth + 1)) })
        }
    }

    /// `value` as JSON text with sorted keys, the form the reader prints.
    static func json(_ value: JSONValue) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value), options: [.fragmentsAllowed])
    }

    @Test func aYAMLReaderReadsBackEveryValueWritten() throws {
        var rng = SeededRandom(seed: 20_261_202)
        let values = (0..<150).map { _ in JSONValue.object([("Root", Self.value(&rng))]) }
        let text = values.map { $0.renderedYAML() }.joined(separator: "---\n")
        let output = try PythonHelper.run(TestPaths.support("yaml_to_json.py"), input: Data(text.utf8))
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == values.count)
        for (line, value) in zip(lines, values) {
            let read = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
            let written = try Self.json(value)
            let a = try JSONSerialization.data(withJSONObject: read, options: [.sortedKeys, .fragmentsAllowed])
            let b = try JSONSerialization.data(withJSONObject: written, options: [.sortedKeys, .fragmentsAllowed])
            #expect(a == b, "read \(String(decoding: a, as: UTF8.self)) for \(String(decoding: b, as: UTF8.self)) from:\n\(value.renderedYAML())")
        }
    }

    @Test func theCommittedTemplateIsWhatAYAMLReaderSeesAsOurTemplate() throws {
        let text = try String(contentsOfFile: TestPaths.file("template.yaml"), encoding: .utf8)
        let output = try PythonHelper.run(TestPaths.support("yaml_to_json.py"), input: Data(text.utf8))
        let read = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let parameters = try #require(read["Parameters"] as? [String: Any])
        let policy = try #require(parameters["Policy"] as? [String: Any])
        // The template's policies are the ones a configurator can run.
        #expect(policy["AllowedValues"] as? [String] == PolicyName.allCases.map(\.rawValue))
        #expect((read["Resources"] as? [String: Any])?.isEmpty == false)
    }
}
