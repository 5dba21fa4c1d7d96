import Crypto
import Foundation
import StepConfHTTP
import StepConfTestSupport
import Testing

/// Bodies of every size, both ways, on one connection reused between them: what was sent is what arrived (the
/// server's length and SHA-256), and what the server sent is what we read (`/bytes?n=`).
@Suite(.serialized) struct HTTPBodyPropertyTests {
    struct Echo: Decodable {
        var length: Int
        var sha256: String
    }

    static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test func bodiesOfEverySizeArriveWholeBothWays() throws {
        let server = try TestServer()
        let client = try HTTPClient()
        for size in [0, 1, 2, 1023, 1024, 16_384, 65_537, 1 << 20] {
            let body = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
            let response = try client.send(HTTPRequest(method: "POST", url: server.base + "/echo", body: body))
            #expect(response.status == 200, "size \(size)")
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.length == size && echo.sha256 == Self.hex(body), "size \(size)")
            let down = try client.send(HTTPRequest(method: "GET", url: server.base + "/bytes?n=\(size)"))
            #expect(down.status == 200 && down.body.count == size, "size \(size)")
        }
        withExtendedLifetime(server) {}
    }

    @Test func anAnswerThatTakesLongerThanTheTimeoutIsATimeoutError() throws {
        let server = try TestServer()
        let client = try HTTPClient()
        #expect(throws: HTTPError.self) {
            try client.send(HTTPRequest(method: "GET", url: server.base + "/slow?ms=3000", timeout: .milliseconds(300)))
        }
        // The handle is still good for the next request.
        #expect(try client.send(HTTPRequest(method: "GET", url: server.base + "/status/200")).status == 200)
        withExtendedLifetime(server) {}
    }
}
