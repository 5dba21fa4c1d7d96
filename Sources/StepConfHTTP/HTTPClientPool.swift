import Synchronization

/// Hands out ``HTTPClient``s to threads, one client per caller at a time, and keeps them (and their
/// connections) for the next caller. Any number of threads may call ``withClient(_:)`` at once.
public final class HTTPClientPool: Sendable {
    private let idle = Mutex<[HTTPClient]>([])
    private let limit: Int

    /// - Parameter keep: idle clients kept for reuse; more are closed when returned.
    public init(keep: Int = 16) { self.limit = keep }

    /// Runs `body` with a client no other thread uses meanwhile.
    /// - Throws: what `body` throws, or ``HTTPError`` when a new client cannot be made.
    public func withClient<T>(_ body: (HTTPClient) throws -> T) throws -> T {
        let client = try idle.withLock { $0.popLast() } ?? HTTPClient()
        defer {
            idle.withLock { clients in
                if clients.count < limit { clients.append(client) }
            }
        }
        return try body(client)
    }
}
