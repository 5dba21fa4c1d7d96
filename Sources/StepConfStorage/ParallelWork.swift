import Dispatch
import FoundationEssentials
import Glibc
import StepConfCore
import Synchronization

/// Runs `count` pieces of work on up to `threads` threads of their own (blocking I/O never occupies Swift's
/// cooperative pool). The first error stops the hand-out of new pieces and is rethrown.
public enum ParallelWork {
    /// Runs `work(0..<count)` on up to `threads` threads; rethrows the first error.
    public static func run(count: Int, threads: Int, _ work: @escaping @Sendable (Int) throws -> Void) throws {
        guard count > 0 else { return }
        let state = Mutex<(next: Int, error: (any Error)?)>((0, nil))
        let workers = min(max(1, threads), count)
        let done = DispatchGroup()
        for _ in 0..<workers {
            done.enter()
            let started = OSThread.start(stackSize: 1 << 20) {
                defer { done.leave() }
                while true {
                    let index = state.withLock { s -> Int? in
                        guard s.error == nil, s.next < count else { return nil }
                        defer { s.next += 1 }
                        return s.next
                    }
                    guard let index else { return }
                    do {
                        try work(index)
                    } catch {
                        state.withLock { if $0.error == nil { $0.error = error } }
                        return
                    }
                }
            }
            if !started {
                state.withLock { if $0.error == nil { $0.error = POSIXError(.EAGAIN) } }
                done.leave()
            }
        }
        done.wait()
        if let error = state.withLock({ $0.error }) { throw error }
    }
}

/// Results of parallel work, collected by index.
public final class ResultSlots<T: Sendable>: Sendable {
    private let slots: Mutex<[T?]>
    public init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    public func set(_ index: Int, _ value: T) { slots.withLock { $0[index] = value } }
    public var values: [T?] { slots.withLock { $0 } }
}
