import Foundation
import StepConfHTTP
import StepConfTestSupport
import Testing

/// `Tests/support/http_test_server.py` on a free loopback port, stopped by PID (``PythonHelper``).
final class TestServer: Sendable {
    let helper: PythonHelper
    init() throws { helper = try PythonHelper(script: "http_test_server.py", keepStdinOpen: false) }
    var port: Int { helper.port }
    var base: String { helper.url }
}

@Suite(.serialized) struct HTTPClientTests {
    struct Echo: Decodable {
        var method: String
        var headers: [String: String]
        var length: Int
        var sha256: String
    }

    @Test func methodsHeadersAndBodiesRoundTripOnOneHandle() throws {
        let server = try TestServer()
        let client = try HTTPClient()
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            let body = method == "GET" ? Data() : Data("hello \(method)".utf8)
            let response = try client.send(HTTPRequest(
                method: method, url: server.base + "/echo", headers: [("X-Custom", "v-\(method)")], body: body))
            #expect(response.status == 200)
            #expect(response.header("x-test-server") == "stepconf")
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.method == method)
            #expect(echo.headers["x-custom"] == "v-\(method)")
            #expect(echo.length == body.count)
        }
        let head = try client.send(HTTPRequest(method: "HEAD", url: server.base + "/echo"))
        #expect(head.status == 200 && head.body.isEmpty)
    }

    @Test func bodiesAboveSixMegabytesGoBothWays() throws {
        let server = try TestServer()
        let client = try HTTPClient()
        var big = Data(count: 7 * 1024 * 1024 + 13)
        big.withUnsafeMutableBytes { for i in 0..<$0.count { $0[i] = UInt8(truncatingIfNeeded: i &* 31) } }
        let up = try client.send(HTTPRequest(method: "PUT", url: server.base + "/echo", body: big))
        let echo = try JSONDecoder().decode(Echo.self, from: up.body)
        #expect(echo.length == big.count)
        let down = try client.send(HTTPRequest(url: server.base + "/bytes?n=\(9 * 1024 * 1024)"))
        #expect(down.body.count == 9 * 1024 * 1024)
        #expect(down.body[1000] == UInt8(1000 % 251))
    }

    @Test func errorStatusesAreResponsesNotErrors() throws {
        let server = try TestServer()
        let response = try HTTPClient().send(HTTPRequest(url: server.base + "/status/500"))
        #expect(response.status == 500)
        #expect(String(decoding: response.body, as: UTF8.self).contains("as asked"))
    }

    @Test func aSlowServerTimesOut() throws {
        let server = try TestServer()
        let client = try HTTPClient()
        #expect {
            try client.send(HTTPRequest(url: server.base + "/slow?ms=3000", timeout: .milliseconds(300)))
        } throws: { ($0 as? HTTPError)?.code == .timedOut }
        // The handle is still good afterwards.
        #expect(try client.send(HTTPRequest(url: server.base + "/echo")).status == 200)
    }

    @Test func nobodyListeningIsACouldNotConnect() throws {
        // Port 1 on loopback has no listener and needs no privileges to be refused.
        #expect {
            try HTTPClient().send(HTTPRequest(url: "http://127.0.0.1:1/"))
        } throws: { ($0 as? HTTPError)?.code == .couldNotConnect }
        #expect {
            try HTTPClient().send(HTTPRequest(url: "notaurl://x"))
        } throws: { ($0 as? HTTPError)?.code == .invalidURL }
    }
}
