import Foundation
import PropertyBased
import StepConfCore
import StepConfWorker
import Testing

/// The frames the wrapper and its workers exchange over pipes: what is written is what is read, and a stream that
/// ends inside a frame is an error, never a hang or a trap.
@Suite struct WorkerFramePipeTests {
    func pipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        precondition(Glibc.pipe(&fds) == 0)
        return (fds[0], fds[1])
    }

    @Test func framesRoundTripThroughAPipe() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRandom(seed: UInt64(seed))
            let frames = (0..<Int.random(in: 1...5, using: &rng)).map { k in
                WorkerFrame(
                    id: Int.random(in: -5...1_000_000, using: &rng), kind: ["", "synthetic", "video.detect", "é€"][k % 4],
                    parameters: Bool.random(using: &rng) ? nil : "{\"difficulty\": \(k)}",
                    error: k % 3 == 0 ? "worker failed: \(k)" : nil,
                    payload: Data((0..<Int.random(in: 0...3000, using: &rng)).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
            }
            let (r, w) = pipe()
            let writer = Thread {
                for frame in frames { try? frame.write(to: w) }
                close(w)
            }
            writer.start()
            var read: [WorkerFrame] = []
            while let frame = try? WorkerFrame.read(from: r) { read.append(frame) }
            close(r)
            #expect(read == frames, "seed \(seed)")
        }
    }

    @Test func aStreamThatEndsInsideAFrameIsAnError() throws {
        let whole = WorkerFrame(id: 7, kind: "k", parameters: "p", payload: Data(repeating: 1, count: 100)).encoded()
        for cut in [1, 8, 9, 12, 20, whole.count - 1] {
            let (r, w) = pipe()
            _ = whole.withUnsafeBytes { Glibc.write(w, $0.baseAddress!, cut) }
            close(w)
            #expect(throws: WorkerError.self) { _ = try WorkerFrame.read(from: r) }
            close(r)
        }
        // Before any byte, the end of the stream is a clean end.
        let (r, w) = pipe()
        close(w)
        #expect(try WorkerFrame.read(from: r) == nil)
        close(r)
    }

    @Test func anAbsurdLengthIsRefusedBeforeAnyAllocation() throws {
        // id, then a text length of 2^31: far past the limit a frame may carry.
        var bytes = [UInt8](repeating: 0, count: 8)
        bytes += [0x80, 0, 0, 0]
        let (r, w) = pipe()
        _ = bytes.withUnsafeBytes { Glibc.write(w, $0.baseAddress!, $0.count) }
        close(w)
        #expect(throws: WorkerError.self) { _ = try WorkerFrame.read(from: r) }
        close(r)
    }

    @Test func writingToAPipeWithNoReaderIsAnErrorNotASignal() throws {
        signal(SIGPIPE, SIG_IGN)
        let (r, w) = pipe()
        close(r)
        #expect(throws: WorkerError.self) { try WorkerFrame(id: 1, payload: Data(count: 10)).write(to: w) }
        close(w)
    }
}
