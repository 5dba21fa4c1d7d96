import Foundation
import PropertyBased
import StepConfCore
import Testing

@Suite struct JSONValueTests {
    static func decode(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    static func encode(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func everyKindOfValueDecodesToItsCase() throws {
        let value = try Self.decode(#"{"s": "x", "i": 42, "d": 1.5, "t": true, "f": false, "n": null, "a": [1, "two"], "o": {"k": {}}}"#)
        #expect(value["s"] == .string("x") && value["i"] == .int(42) && value["d"] == .number(1.5))
        #expect(value["t"] == .bool(true) && value["f"] == .bool(false) && value["n"] == .null)
        #expect(value["a"] == .array([.int(1), .string("two")]) && value["o"]?["k"] == .object([]))
        #expect(value["missing"] == nil && value["a"]?["x"] == nil)
    }

    @Test(arguments: ["42", "\"text\"", "true", "null", "-0.25", "[]"])
    func aTopLevelFragmentIsAValue(text: String) throws {
        let value = try Self.decode(text)
        #expect(try Self.decode(try Self.encode(value)) == value)
    }

    // Foundation's decoder itself accepts a trailing comma ("[1,]"); StrictJSON is what refuses it.
    @Test(arguments: ["", "{", "{\"a\" 1}", "nul", "'x'", "{\"a\":1}}", "\u{0}"])
    func invalidJSONIsAnErrorNotACrash(text: String) {
        #expect(throws: (any Error).self) { try Self.decode(text) }
    }

    @Test func numbersTooLargeForAnIntAreDoublesAndAccessorsNeverTrap() throws {
        let value = try Self.decode(#"[1e300, 18446744073709551616, -9223372036854775808, 2.0, 3.5]"#)
        let items = try #require(value.arrayValue)
        #expect(items[0].doubleValue == 1e300 && items[0].intValue == nil)
        #expect(items[1].doubleValue == 18_446_744_073_709_551_616 && items[1].intValue == nil)
        #expect(items[2].intValue == Int.min)
        #expect(items[3].intValue == 2 && items[4].intValue == nil && items[4].doubleValue == 3.5)
        #expect(JSONValue.string("1").intValue == nil && JSONValue.int(1).stringValue == nil && JSONValue.null.boolValue == nil)
    }

    @Test func objectsDecodeSortedAndEncodeInTheirOrder() throws {
        let value = try Self.decode(#"{"b": 1, "a": 2, "c": {"z": 0, "y": 1}}"#)
        #expect(value.members?.map(\.0) == ["a", "b", "c"])
        // Foundation's encoder writes keyed members in an order of its own; with sortedKeys (as every AWS call and
        // history detail is written) the bytes are stable.
        let written: JSONValue = ["z": 1, "a": 2]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(written), as: UTF8.self) == #"{"a":2,"z":1}"#)
    }

    @Test func settingReplacesAppendsOrLeavesAlone() {
        let base: JSONValue = ["a": 1, "b": 2]
        #expect(base.setting("a", 9) == ["a": 9, "b": 2])
        #expect(base.setting("c", "x") == ["a": 1, "b": 2, "c": "x"])
        #expect(base.setting("a", nil) == base)
        #expect(JSONValue.array([]).setting("a", 1) == .array([]), "only an object has members")
        #expect(JSONValue.strings(["x", "y"]) == ["x", "y"])
    }

    /// Random trees of every kind survive encoding and decoding (objects compared with their members sorted).
    @Test func randomValuesRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            func make(_ depth: Int) -> JSONValue {
                switch Int.random(in: 0...(depth > 3 ? 4 : 6), using: &rng) {
                case 0: return .string(String((0..<Int.random(in: 0...6, using: &rng)).map { _ in "aé\"\\/\n€x".randomElement(using: &rng)! }))
                case 1: return .int(Int.random(in: -1_000_000...1_000_000, using: &rng))
                case 2: return .number(Double(Int.random(in: -1000...1000, using: &rng)) + 0.5)
                case 3: return .bool(Bool.random(using: &rng))
                case 4: return .null
                case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in make(depth + 1) })
                default:
                    let keys = Set((0..<Int.random(in: 0...4, using: &rng)).map { _ in "k\(Int.random(in: 0...9, using: &rng))" })
                    return .object(keys.sorted().map { ($0, make(depth + 1)) })
                }
            }
            let value = make(0)
            let again = try! JSONDecoder().decode(JSONValue.self, from: try! JSONEncoder().encode(value))
            #expect(again == value, "seed \(seed)")
        }
    }
}

@Suite struct JSONValueExtremesTests {
    @Test(arguments: ["1e400", "-1e400", "1e-400", "123456789012345678901234567890", "[[[[[[[[[[1]]]]]]]]]]"])
    func extremeNumbersAndNestingDecodeWithoutATrap(text: String) {
        _ = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(StrictJSON.isJSON(Array(text.utf8)), "valid JSON syntax")
    }
}
