import Foundation
import StepConfCore
import StepConfWorker
import Testing

@Suite struct StepEventTests {
    private func decode(_ json: String) throws -> StepEvent {
        try JSONDecoder().decode(StepEvent.self, from: Data(json.utf8))
    }

    @Test func anInstanceTakesItsShareOfTheStepsInputAsTheMapSendsIt() throws {
        // The predecessors' outputs in step-id order, split as the configurator splits jobs: 7 keys over 3 → 3, 2, 2.
        let input = #"{"after":{"b":[{"outputs":["b0"]},{"outputs":["b1","b2"]}],"a":[{"outputs":["a0","a1","a2","a3"]}]}}"#
        var shares: [[String]] = []
        for index in 0..<3 {
            let event = try decode(#"{"execution":"r","step":"s","index":\#(index),"instances":3,"job_end":7,"input":\#(input)}"#)
            shares.append(event.keys)
        }
        #expect(shares == [["a0", "a1", "a2"], ["a3", "b0"], ["b1", "b2"]])
        // A first step's keys come the same way; keys given directly win.
        let first = try decode(#"{"execution":"r","step":"s","index":1,"instances":2,"job_end":1,"input":{"keys":["k0","k1","k2"]}}"#)
        #expect(first.keys == ["k2"])
        #expect(try decode(#"{"execution":"r","step":"s","job_end":1,"keys":["x"],"input":{"keys":["k0"]}}"#).keys == ["x"])
    }

    @Test(arguments: [#""index":3,"instances":3"#, #""index":0,"instances":0"#, #""index":-1,"instances":2"#])
    func anInstanceOutsideTheFanOutIsRefused(fields: String) {
        #expect(throws: DecodingError.self) {
            try decode(#"{"execution":"r","step":"s",\#(fields),"job_end":1,"input":{"keys":["k"]}}"#)
        }
    }
}
