import Dispatch
import Foundation
import Synchronization

/// A one-line progress bar with ETA on standard error.
final class ProgressBar: Sendable {
    private let label: String
    private let enabled: Bool
    private let clock: ContinuousClock
    private let start: ContinuousClock.Instant

    init(label: String, enabled: Bool, clock: ContinuousClock) {
        self.label = label
        self.enabled = enabled
        self.clock = clock
        self.start = clock.now
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let fraction = Double(done) / Double(total)
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = (clock.now - start).seconds
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        let line = "\r\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] \(done)/\(total) · ETA \(fixed(eta, 0)) s   "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

/// Progress through stages of a typical length (what they took the last time on this machine), on a terminal only:
/// a status line on standard error — the stage, the time so far and about how long is left — redrawn every second,
/// cleared before each line the command prints.
final class StageProgress: Sendable {
    private struct Now {
        var stage: Int?
        var began: ContinuousClock.Instant
        var took: [Double?]
        var shown = false
    }

    private let label: String
    private let stages: [(name: String, typicalSeconds: Double)]
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let now: Mutex<Now>
    /// Signalled when the progress ends: the redrawing thread stops.
    private let stopped = DispatchSemaphore(value: 0)

    init(label: String, stages: [(name: String, typicalSeconds: Double)], enabled: Bool) {
        self.label = label
        self.stages = stages
        self.enabled = enabled
        start = clock.now
        now = Mutex(Now(stage: nil, began: start, took: Array(repeating: nil, count: stages.count)))
        guard enabled else { return }
        let thread = Thread { [self] in
            while stopped.wait(timeout: .now() + 1) == .timedOut { redraw() }
        }
        thread.stackSize = 1 << 17
        thread.start()
    }

    /// Stage `index` begins (the one before it ends).
    func begin(_ index: Int) {
        now.withLock { n in
            let at = clock.now
            if let current = n.stage { n.took[current] = (at - n.began).seconds }
            n.stage = index
            n.began = at
        }
        redraw()
    }

    /// Prints `line` on standard output, the status line out of its way.
    func say(_ line: String) {
        now.withLock { n in
            if n.shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            n.shown = false
            print(line)
            fflush(nil)
        }
        redraw()
    }

    /// Ends the last stage and clears the status line; returns what each stage took, seconds (nil: it never began).
    @discardableResult
    func finish() -> [Double?] {
        let took = now.withLock { n in
            if let current = n.stage { n.took[current] = (clock.now - n.began).seconds }
            n.stage = nil
            if n.shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            n.shown = false
            return n.took
        }
        if enabled { stopped.signal() }
        return took
    }

    /// Seconds since the first stage began.
    var elapsedSeconds: Double { (clock.now - start).seconds }

    private func redraw() {
        guard enabled else { return }
        now.withLock { n in
            guard let current = n.stage else { return }
            let inStage = (clock.now - n.began).seconds
            let rest = stages[(current + 1)...].reduce(0) { $0 + $1.typicalSeconds }
            let over = inStage > stages[current].typicalSeconds
            let left = max(0, stages[current].typicalSeconds - inStage) + rest
            let eta = over ? "longer than the last time, then about \(fixed(rest, 0)) s" : "about \(fixed(left, 0)) s left"
            let line = "\r\u{1B}[2K\(label) [\(current + 1)/\(stages.count)] \(stages[current].name) · \(fixed(elapsedSeconds, 0)) s · \(eta)"
            FileHandle.standardError.write(Data(line.utf8))
            n.shown = true
        }
    }
}
