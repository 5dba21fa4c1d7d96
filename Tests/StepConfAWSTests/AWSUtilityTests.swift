import Foundation
import PropertyBased
import StepConfCore
import Testing

@testable import StepConfAWS

@Suite struct URIEncodingTests {
    @Test(arguments: [
        ("abc-._~XYZ019", false, "abc-._~XYZ019"), ("a b", false, "a%20b"), ("a/b", false, "a%2Fb"), ("a/b", true, "a/b"),
        ("é", false, "%C3%A9"), ("+*=&?", false, "%2B%2A%3D%26%3F"), ("", false, ""),
    ])
    func encodesAsSigV4Asks(text: String, keepSlash: Bool, expected: String) {
        #expect(URIEncoding.encode(text, keepSlash: keepSlash) == expected)
    }

    @Test func decodingUndoesEncodingForAnyText() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let alphabet = Array("aZ9 -_.~/%+?&=é€😀\u{0}\n")
            let text = String((0..<Int.random(in: 0...20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(URIEncoding.decode(URIEncoding.encode(text)) == text, "seed \(seed)")
            #expect(URIEncoding.decode(URIEncoding.encode(text, keepSlash: true)) == text, "seed \(seed)")
        }
    }

    @Test(arguments: ["%", "%4", "%ZZ", "a%g0", "%C3"])
    func aMalformedEscapeIsNil(text: String) {
        #expect(URIEncoding.decode(text) == nil)
    }

    @Test func plusIsASpaceOnlyWhenAsked() {
        #expect(URIEncoding.decode("a+b") == "a+b" && URIEncoding.decode("a+b", plusIsSpace: true) == "a b")
    }
}

@Suite struct CRC32Tests {
    @Test(arguments: [("", UInt32(0)), ("a", 0xE8B7_BE43), ("123456789", 0xCBF4_3926), ("The quick brown fox jumps over the lazy dog", 0x414F_A339)])
    func knownChecksums(text: String, expected: UInt32) {
        #expect(CRC32.checksum(Array(text.utf8)) == expected)
    }

    @Test func updatingInPiecesEqualsOneChecksum() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var crc = CRC32()
        for chunk in stride(from: 0, to: bytes.count, by: 777) { crc.update(bytes[chunk..<min(chunk + 777, bytes.count)]) }
        #expect(crc.value == CRC32.checksum(bytes))
        #expect(CRC32.base64(0xCBF4_3926) == Data([0xCB, 0xF4, 0x39, 0x26]).base64EncodedString())
    }
}

@Suite struct SharedConfigFileTests {
    @Test func readsProfilesSubSettingsAndComments() {
        let text = """
            # a comment
            [default]
            region = eu-west-1   # trailing comment
            s3 =
              addressing_style = path
            output=json

            [profile dev]
            ; another comment
            Region = us-east-2
            role_arn = arn:aws:iam::1:role/x
            [broken
            key = value
            """
        let config = SharedConfigFile(text: text, isConfig: true)
        #expect(config.profiles["default"]?["region"] == "eu-west-1")
        #expect(config.profiles["default"]?["s3.addressing_style"] == "path")
        #expect(config.profiles["default"]?["output"] == "json")
        #expect(config.profiles["dev"]?["region"] == "us-east-2", "keys are case-insensitive")
        #expect(config.profiles["dev"]?["role_arn"] == "arn:aws:iam::1:role/x")
        #expect(config.profiles["dev"]?["key"] == "value", "a line that is not a section stays in the last one")
        #expect(config.profiles["broken"] == nil)
    }

    @Test func theCredentialsFileKeepsProfileNamesAsTheyAre() {
        let config = SharedConfigFile(text: "[profile x]\naws_access_key_id = A\n[x]\naws_access_key_id = B\n", isConfig: false)
        #expect(config.profiles["profile x"]?["aws_access_key_id"] == "A" && config.profiles["x"]?["aws_access_key_id"] == "B")
    }

    @Test func anAbsentFileIsEmptyAndADirectoryIsAnError() throws {
        #expect(try SharedConfigFile.load(path: "/nonexistent/\(UUID().uuidString)", isConfig: true).profiles.isEmpty)
        #expect(throws: AWSError.self) { try SharedConfigFile.load(path: NSTemporaryDirectory(), isConfig: true) }
    }
}

@Suite struct RetryPolicyTests {
    @Test(arguments: [(429, nil, true), (500, nil, true), (503, nil, true), (504, nil, true), (400, nil, false),
                      (404, nil, false), (400, "ThrottlingException", true), (200, "SlowDown", true), (403, "AccessDenied", false)] as [(Int, String?, Bool)])
    func retriesWhatAWSSaysToRetry(status: Int, code: String?, retryable: Bool) {
        #expect(RetryPolicy().isRetryable(status: status, code: code) == retryable)
    }

    @Test func backoffGrowsExponentiallyUpToItsCeilingWithFullJitter() {
        let policy = RetryPolicy(maxAttempts: 8, baseSeconds: 0.1, maxBackoffSeconds: 1)
        #expect(policy.backoff(afterAttempt: 1, random: 0.999_999) < 0.1 + 1e-9)
        #expect(abs(policy.backoff(afterAttempt: 3, random: 0.5) - 0.2) < 1e-12)
        #expect(policy.backoff(afterAttempt: 30, random: 0.999_999) <= 1)
        #expect(policy.backoff(afterAttempt: 5, random: 0) == 0)
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1, "at least one attempt")
    }
}

@Suite struct AWSEndpointTests {
    @Test(arguments: [
        ("https://s3.amazonaws.com", "https", "s3.amazonaws.com", ""), ("http://127.0.0.1:4566/", "http", "127.0.0.1:4566", ""),
        ("https://host:443/base/", "https", "host", "/base"), ("http://[::1]:9000", "http", "[::1]:9000", ""),
        ("HTTP://Example.com:80", "http", "Example.com", ""),
    ])
    func parsesWhatRequestsAndSignaturesNeed(url: String, scheme: String, host: String, basePath: String) throws {
        let endpoint = try AWSEndpoint(url)
        #expect(endpoint.scheme == scheme && endpoint.host == host && endpoint.basePath == basePath)
    }

    @Test(arguments: ["ftp://x", "not a url", "https://", "", "s3.amazonaws.com"])
    func refusesWhatIsNotAnHTTPURLNamingTheSetting(url: String) {
        do {
            _ = try AWSEndpoint(url, setting: "AWS_ENDPOINT_URL_S3")
            Issue.record("accepted \(url)")
        } catch let error as AWSError {
            #expect(error.message.contains("AWS_ENDPOINT_URL_S3"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func localAndIPHostsAreKnownForPathStyleAddressing() throws {
        #expect(try AWSEndpoint("http://localhost:4566").isLocalOrIP)
        #expect(try AWSEndpoint("http://10.0.0.7").isLocalOrIP)
        #expect(try AWSEndpoint("http://[::1]:1").isLocalOrIP)
        #expect(try !AWSEndpoint("https://s3.eu-west-1.amazonaws.com").isLocalOrIP)
        #expect(try AWSEndpoint("http://[::1]:1").hostName == "[::1]" && AWSEndpoint("http://a.b:8").hostName == "a.b")
    }
}

@Suite struct XMLNodeTests {
    @Test func readsS3sAnswersWithEntitiesCDATAAndComments() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name>
              <Contents><Key>a&amp;b &lt;c&gt; &#233;&#x20AC;</Key><Size>12</Size></Contents>
              <Contents><Key><![CDATA[raw <text> & more]]></Key><Size>0</Size></Contents>
              <IsTruncated>false</IsTruncated>
            </ListBucketResult>
            """
        let tree = try XMLNode.parse(Data(xml.utf8))
        #expect(tree.name == "ListBucketResult" && tree.attributes["xmlns"]?.hasPrefix("http://s3") == true)
        #expect(tree.first("Name")?.text == "bucket")
        let keys = tree.all("Contents").compactMap { $0.first("Key")?.text }
        #expect(keys == ["a&b <c> é€", "raw <text> & more"])
        #expect(tree.first("IsTruncated")?.text == "false" && tree.first("Missing") == nil)
    }

    @Test(arguments: ["", "<a>", "<a></b>", "<a>&bogus;</a>", "<a><b></a></b>", "text", "<a>&#xZZ;</a>"])
    func malformedXMLThrowsRatherThanGuessing(text: String) {
        #expect(throws: (any Error).self) { try XMLNode.parse(Data(text.utf8)) }
    }
}
