import Foundation
import StepConfAWS
import StepConfCore
import StepConfTestSupport
import Testing


@Suite struct SigV4BotocoreTests {
    /// Random requests — paths with spaces, unicode, dots and reserved characters, sorted and unsorted
    /// queries, headers with runs of spaces, bodies, session tokens — signed by us and by botocore.
    @Test func signaturesMatchBotocoreForRandomRequests() throws {
        var random = SeededRandom(seed: 20_261_122)
        let pieces = ["a", "B", "z9", "-", "_", ".", "~", " ", "é", "ü", "日本", "+", "=", "&", "!", "'", "(", ")", "*", "$", ",", ";", "@", ":", "..", "%"]
        func pick(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
        func word() -> String {
            var text = ""
            for _ in 0...pick(5) { text += pieces[pick(pieces.count)] }
            return text
        }
        var jobs: [[String: Any]] = []
        var ours: [String] = []
        for i in 0..<200 {
            let service = i % 2 == 0 ? "s3" : "dynamodb"
            let region = ["us-east-1", "eu-west-3", "ap-southeast-2"][pick(3)]
            let method = ["GET", "PUT", "POST", "DELETE", "HEAD"][pick(5)]
            var segments: [String] = []
            for _ in 0..<pick(4) { segments.append(URIEncoding.encode(word())) }
            let path = "/" + segments.joined(separator: "/") + (pick(3) == 0 ? "/" : "")
            var pairs: [String] = []
            for _ in 0..<pick(4) {
                let name = URIEncoding.encode(word())
                let value = pick(4) == 0 ? "" : URIEncoding.encode(word())
                pairs.append("\(name)=\(value)")
            }
            let query = pairs.joined(separator: "&")
            let host = "\(service).\(region).example.test:\(8000 + pick(1000))"
            var headers: [(name: String, value: String)] = [("Host", host)]
            for k in 0..<pick(4) {
                headers.append(("X-Custom-\(k)-\(["A", "b", "Mixed"][pick(3)])", "  v\(k)   with  spaces \(word()) "))
            }
            if pick(2) == 0 { headers.append(("Content-Type", "application/x-amz-json-1.0")) }
            var bytes: [UInt8] = []
            for _ in 0..<pick(300) { bytes.append(UInt8(truncatingIfNeeded: random.next())) }
            let body = Data(bytes)
            let token: String? = pick(2) == 0 ? "FQoGZXIvYXdzE//token+/=\(i)" : nil
            let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE\(i)", secretAccessKey: "secret/\(i)+key", sessionToken: token)
            let epoch = 1_600_000_000 + pick(200_000_000)
            let signer = SigV4Signer(service: service, region: region)
            let request = SigV4Signer.Request(
                method: method, path: path, query: query, headers: headers, payloadHash: SigV4Signer.hash(body))
            let added = signer.signingHeaders(for: request, credentials: credentials, date: Date(timeIntervalSince1970: Double(epoch)))
            ours.append(added.first { $0.name == "Authorization" }!.value)
            jobs.append([
                "method": method, "url": "http://\(host)\(path)" + (query.isEmpty ? "" : "?\(query)"),
                "headers": headers.filter { $0.name != "Host" }.map { [$0.name, $0.value] } + [["Host", host]],
                "body_b64": body.base64EncodedString(), "service": service, "region": region,
                "access_key": credentials.accessKeyID, "secret_key": credentials.secretAccessKey, "token": token as Any,
                "epoch": epoch,
            ])
        }
        let output = try PythonHelper.run(TestPaths.support("botocore_sign.py"), input: try JSONSerialization.data(withJSONObject: jobs))
        let theirs = try JSONDecoder().decode([String].self, from: output)
        #expect(theirs.count == ours.count)
        let mismatches = zip(ours, theirs).enumerated().filter { $0.element.0 != $0.element.1 }.map { $0.offset }
        let described = mismatches.prefix(3).map { i in "\(i): \(String(describing: jobs[i]["method"])) \(String(describing: jobs[i]["url"]))" }
        #expect(mismatches.isEmpty, "differs from botocore: \(described)")
    }

    @Test func presignedURLsMatchBotocore() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "tok/en+1")
        let signer = SigV4Signer(service: "s3", region: "eu-west-1")
        let url = signer.presignedURL(
            method: "GET", scheme: "https", host: "bucket.s3.eu-west-1.amazonaws.com", path: "/dir/my%20file.txt",
            credentials: credentials, expiresSeconds: 900, date: Date(timeIntervalSince1970: 1_700_000_000))
        // The same request signed by botocore (Tests/support/botocore_presign.py: the same credentials, time and expiry).
        let theirs = String(decoding: try PythonHelper.run(TestPaths.support("botocore_presign.py")), as: UTF8.self)
        func signature(_ url: String) -> String? { url.components(separatedBy: "X-Amz-Signature=").last }
        func parameters(_ url: String) -> Set<String> { Set(url.split(separator: "?").last!.split(separator: "&").map(String.init)) }
        #expect(signature(url) == signature(theirs))
        #expect(parameters(url) == parameters(theirs))
    }
}
