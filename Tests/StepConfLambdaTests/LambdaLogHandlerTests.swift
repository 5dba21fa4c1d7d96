import Foundation
import Logging
import StepConfLambda
import Synchronization
import Testing

@Suite struct LambdaLogHandlerTests {
    @Test func aRecordIsOneJSONObjectInLambdasFormatWithTheMetadataAfter() throws {
        let line = LambdaLogHandler.line(
            timestampMs: 1_764_482_939_007, level: .warning, message: "quote \" slash \\ newline \n tab \t bell \u{07} ü",
            metadata: ["step": "encode", "aws-request-id": "r-1", "sizes": .array(["1", "2"]), "theta": ["m": "1024"]])
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix(#"{"timestamp":"2025-11-30T06:08:59.007Z","level":"WARN","message":"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "quote \" slash \\ newline \n tab \t bell \u{07} ü")
        #expect(object["requestId"] as? String == "r-1" && object["aws-request-id"] as? String == "r-1")
        #expect(object["step"] as? String == "encode" && object["sizes"] as? [String] == ["1", "2"])
        #expect((object["theta"] as? [String: String]) == ["m": "1024"])
        // Metadata keys follow Lambda's four in sorted order, so the same record is the same bytes.
        let keys = ["\"aws-request-id\"", "\"sizes\"", "\"step\"", "\"theta\""].map { line.range(of: $0)!.lowerBound }
        #expect(keys == keys.sorted())
    }

    @Test(arguments: [
        ("TRACE", Logger.Level.trace), ("debug", .debug), ("INFO", .info), ("WARN", .warning), ("ERROR", .error),
        ("FATAL", .critical),
    ])
    func lambdasLevelNamesMapBothWays(name: String, level: Logger.Level) {
        #expect(LambdaLogHandler.level(lambdaName: name) == level)
        #expect(LambdaLogHandler.lambdaName(level) == name.uppercased())
    }

    @Test func anUnknownLevelNameIsNil() {
        #expect(LambdaLogHandler.level(lambdaName: "LOUD") == nil)
        #expect(LambdaLogHandler.level(lambdaName: "") == nil)
    }

    @Test func theHandlerFiltersByLevelAndMergesMetadata() {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "t") { _ in LambdaLogHandler(level: .info, sink: { line in lines.withLock { $0.append(line) } }) }
        logger[metadataKey: "execution"] = "e-1"
        logger.debug("hidden")
        logger.info("shown", metadata: ["step": "s"])
        let seen = lines.withLock { $0 }
        #expect(seen.count == 1)
        #expect(seen[0].contains(#""message":"shown""#) && seen[0].contains(#""execution":"e-1""#))
        #expect(seen[0].contains(#""step":"s""#) && seen[0].contains(#""level":"INFO""#))
    }
}
