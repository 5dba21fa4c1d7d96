import Foundation
import StepConfTestSupport
import Testing

/// The support code that follows the state machine's data as the engine does: if it were lenient, the message
/// round trip could not fail. It selects what a path names, and refuses what names nothing.
@Suite struct ASLParametersTests {
    let data: [String: Any] = ["slo_s": 5, "config": ["steps": ["a": ["inter": 2, "items": [["index": 0], ["index": 1]]]]], "list": [10, 20]]
    let context: [String: Any] = ["Execution": ["Id": "arn:e"], "Map": ["Item": ["Value": ["index": 1]]]]

    @Test func pathsSelectFromTheDataAndTheContext() throws {
        #expect(try ASLParameters.select("$.slo_s", in: data) as? Int == 5)
        #expect(try ASLParameters.select("$.config.steps.a.inter", in: data) as? Int == 2)
        #expect(try ASLParameters.select("$.list[1]", in: data) as? Int == 20)
        #expect((try ASLParameters.select("$.config.steps.a.items", in: data) as? [Any])?.count == 2)
        #expect(try ASLParameters.evaluate("$$.Execution.Id", data: data, context: context) as? String == "arn:e")
        #expect(try ASLParameters.select("$", in: data) is [String: Any])
    }

    @Test(arguments: ["$.missing", "$.config.steps.b.inter", "$.list[5]", "$.slo_s.deeper", "slo_s", "$..x"])
    func aPathThatNamesNothingIsAnError(path: String) {
        #expect(throws: ASLParameters.Failure.self) { try ASLParameters.select(path, in: data) }
    }

    @Test func aTemplateFillsItsPathFieldsAndCopiesTheRest() throws {
        let template: [String: Any] = [
            "slo.$": "$.slo_s", "fixed": "text", "nested": ["item.$": "$$.Map.Item.Value"],
            "name.$": "States.Format('{}-m{}', $$.Execution.Id, $.config.steps.a.inter)",
        ]
        let filled = try #require(try ASLParameters.apply(template, data: data, context: context) as? [String: Any])
        #expect(filled["slo"] as? Int == 5 && filled["fixed"] as? String == "text")
        #expect(((filled["nested"] as? [String: Any])?["item"] as? [String: Any])?["index"] as? Int == 1)
        #expect(filled["name"] as? String == "arn:e-m2")
        #expect(filled["slo.$"] == nil, "a path field loses its suffix")
    }

    @Test func aFormatWithTheWrongNumberOfArgumentsIsAnError() {
        #expect(throws: ASLParameters.Failure.self) {
            try ASLParameters.evaluate("States.Format('{}-{}', $.slo_s)", data: data, context: context)
        }
    }
}
