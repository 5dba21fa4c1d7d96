import Foundation
import StepConfHTTP
import StepConfTestSupport
import Synchronization
import Testing

@Suite(.serialized) struct HTTPClientPoolTests {
    @Test func manyThreadsShareThePoolAndEachGetsItsOwnAnswer() throws {
        let server = try TestServer()
        let pool = HTTPClientPool(keep: 4)
        let answers = Mutex<[Int: Int]>([:])
        let failures = Mutex<[String]>([])
        // Statuses that may carry a body (a 205 or 206 with one is not HTTP).
        let statuses = [200, 201, 202, 203, 400, 404, 500]
        onThreads(48) { k in
            do {
                let status = try pool.withClient { client in
                    try client.send(HTTPRequest(method: "GET", url: server.base + "/status/\(statuses[k % 7])")).status
                }
                answers.withLock { $0[k] = status }
            } catch {
                failures.withLock { $0.append("\(k): \(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(answers.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0..<48).map { ($0, statuses[$0 % 7]) }))
        withExtendedLifetime(server) {}
    }

    @Test func aClientIsNeverHandedToTwoCallersAtOnce() throws {
        let pool = HTTPClientPool(keep: 2)
        let inUse = Mutex<Set<ObjectIdentifier>>([])
        let clash = Mutex(false)
        onThreads(64) { _ in
            try? pool.withClient { client in
                let id = ObjectIdentifier(client)
                if !inUse.withLock({ $0.insert(id).inserted }) { clash.withLock { $0 = true } }
                Thread.sleep(forTimeInterval: 0.001)
                _ = inUse.withLock { $0.remove(id) }
            }
        }
        #expect(!clash.withLock { $0 })
    }

    @Test func anErrorInTheBodyReachesTheCallerAndTheClientGoesBack() throws {
        struct Planted: Error {}
        let pool = HTTPClientPool(keep: 1)
        var first: ObjectIdentifier?
        #expect(throws: Planted.self) {
            try pool.withClient { client in
                first = ObjectIdentifier(client)
                throw Planted()
            }
        }
        let second = try pool.withClient { ObjectIdentifier($0) }
        #expect(second == first, "the client was kept for the next caller")
    }
}
