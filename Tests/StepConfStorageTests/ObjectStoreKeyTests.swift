import Foundation
import StepConfCore
import Testing

/// The key rules every store applies before any I/O, so a key that works locally works on S3 and stays in the root.
@Suite struct ObjectStoreKeyTests {
    @Test(arguments: ["a", "runs/e/s/0/out.y4m", "inputs/video.y4m", "a-b_c.d~e", "é/€", String(repeating: "k", count: 1024)])
    func aKeyThatIsANameIsAccepted(key: String) throws {
        try ObjectStoreKey.validate(key)
    }

    @Test(arguments: [
        ("", "empty"), ("/abs", "absolute"), ("a//b", "segment"), ("a/./b", "segment"), ("../up", "segment"), ("a/", "ends with"),
        ("a\\b", "backslash"), ("a\u{7}b", "control"), (String(repeating: "k", count: 1025), "1024"),
    ])
    func aKeyThatBreaksARuleSaysWhichOne(key: String, rule: String) {
        do {
            try ObjectStoreKey.validate(key)
            Issue.record("accepted \(key.debugDescription)")
        } catch let error as ObjectStoreError {
            #expect(error.code == .invalidKey)
            #expect(error.message.localizedCaseInsensitiveContains(rule), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aPrefixMayEndInASlashOrBeEmpty() throws {
        try ObjectStoreKey.validatePrefix("")
        try ObjectStoreKey.validatePrefix("runs/")
        try ObjectStoreKey.validatePrefix("runs/e")
        #expect(throws: ObjectStoreError.self) { try ObjectStoreKey.validatePrefix("../") }
        #expect(throws: ObjectStoreError.self) { try ObjectStoreKey.validatePrefix("/runs/") }
    }
}
