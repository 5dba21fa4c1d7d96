import Foundation
import StepConfAWS
import Testing

/// AWS's published Signature Version 4 test suite, read where it lies (never copied into this repository):
/// `STEPCONF_AWS4_TESTSUITE`, or `../shared/testdata/aws4_testsuite` beside the checkout, or
/// `/work/shared/testdata/aws4_testsuite`.
enum AWS4Suite {
    static let directory: URL? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            ProcessInfo.processInfo.environment["STEPCONF_AWS4_TESTSUITE"],
            root.deletingLastPathComponent().appendingPathComponent("shared/testdata/aws4_testsuite").path,
            "/work/shared/testdata/aws4_testsuite",
        ].compactMap { $0 }
        return candidates.map { URL(fileURLWithPath: $0) }.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("get-vanilla/get-vanilla.req").path)
        }
    }()

    /// Every case directory (one holding NAME.req), relative to the suite.
    static var cases: [String] {
        guard let directory, let walker = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var names: [String] = []
        for case let path as String in walker where path.hasSuffix(".req") {
            names.append(String(path.dropLast(4)))
        }
        return names.sorted()
    }

    static func read(_ name: String, _ ext: String) throws -> String {
        try String(contentsOf: directory!.appendingPathComponent("\(name).\(ext)"), encoding: .utf8)
    }

    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    /// Splits a raw `.req` file: request line, headers (folded lines kept with their newline), body.
    static func parseRequest(_ text: String) -> SigV4Signer.Request {
        var lines = text.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if target.hasSuffix(" HTTP/1.1") { target.removeLast(9) }
        var headers: [(name: String, value: String)] = []
        var bodyLines: [String] = []
        var inBody = false
        for line in lines {
            if inBody {
                bodyLines.append(line)
            } else if line.isEmpty {
                inBody = true
            } else if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let rawPath = String(target.prefix { $0 != "?" })
        let query = target.contains("?") ? String(target[target.index(after: target.firstIndex(of: "?")!)...]) : ""
        let body = Data(bodyLines.joined(separator: "\n").utf8)
        return SigV4Signer.Request(
            method: method, path: URIEncoding.encode(rawPath, keepSlash: true), query: query, headers: headers,
            payloadHash: SigV4Signer.hash(body))
    }
}

@Suite struct SigV4SuiteTests {
    /// The suite signs for service `service` in us-east-1 at 2015-08-30T12:36:00Z; its paths are normalized
    /// and encoded once.
    let signer = SigV4Signer(service: "service", region: "us-east-1", pathRules: .init(normalize: true, encodeTwice: false))

    @Test(.enabled(if: AWS4Suite.directory != nil, "AWS's SigV4 test suite is not on this machine"))
    func theSuiteIsThereAndComplete() {
        #expect(AWS4Suite.cases.count >= 25)
    }

    @Test(.enabled(if: AWS4Suite.directory != nil), arguments: AWS4Suite.cases)
    func canonicalRequestStringToSignAndSignatureMatchTheSuite(name: String) throws {
        var request = AWS4Suite.parseRequest(try AWS4Suite.read(name, "req"))
        let expectedCanonical = try AWS4Suite.read(name, "creq")
        // Where the signer is to add the session token itself, the suite shows it only in the canonical request.
        var credentials = AWS4Suite.credentials
        let given = Set(request.headers.map { $0.name.lowercased() })
        if !given.contains("x-amz-security-token"),
            let line = expectedCanonical.split(separator: "\n").first(where: { $0.hasPrefix("x-amz-security-token:") })
        {
            credentials.sessionToken = String(line.dropFirst("x-amz-security-token:".count))
        }
        // Sign through the public path: the signer adds X-Amz-Date (and the token) for 2015-08-30T12:36:00Z.
        let date = Date(timeIntervalSince1970: 1_440_938_160)
        let added = signer.signingHeaders(for: request, credentials: credentials, date: date)
        request.headers = request.headers.filter { $0.name.lowercased() != "x-amz-date" }
            + added.filter { $0.name != "Authorization" }
        let (canonical, _) = signer.canonicalRequest(request)
        #expect(canonical == expectedCanonical)
        let scope = "20150830/us-east-1/service/aws4_request"
        #expect(SigV4Signer.stringToSign(canonical: canonical, scope: scope, longDate: "20150830T123600Z") == (try AWS4Suite.read(name, "sts")))
        #expect(added.first { $0.name == "Authorization" }?.value == (try AWS4Suite.read(name, "authz")))
    }
}
