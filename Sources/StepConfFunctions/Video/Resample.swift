import Dispatch
import FoundationEssentials
import Glibc

/// Bicubic resampling (Keys' cubic convolution, a = −0.5, the kernel of ffmpeg's `bicubic` and
/// ImageMagick's Catmull-Rom): separable, a horizontal pass then a vertical one, rows spread over threads.
public enum Resample {
    /// Keys' cubic weight for distance `t`.
    static func cubic(_ t: Double) -> Double {
        let a = -0.5
        let x = abs(t)
        if x <= 1 { return (a + 2) * x * x * x - (a + 3) * x * x + 1 }
        if x < 2 { return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a }
        return 0
    }

    /// For each output position, the four source indices (clamped at the edges) and their weights.
    static func taps(source: Int, target: Int) -> (index: [Int], weight: [Float]) {
        var index = [Int](repeating: 0, count: target * 4)
        var weight = [Float](repeating: 0, count: target * 4)
        let scale = Double(source) / Double(target)
        for o in 0..<target {
            // Pixel centres line up: output o covers source (o + 0.5)·scale − 0.5.
            let centre = (Double(o) + 0.5) * scale - 0.5
            let base = Int(centre.rounded(.down)) - 1
            var sum = 0.0
            var w = [Double](repeating: 0, count: 4)
            for k in 0..<4 {
                w[k] = cubic(centre - Double(base + k))
                sum += w[k]
            }
            for k in 0..<4 {
                index[o * 4 + k] = min(max(base + k, 0), source - 1)
                weight[o * 4 + k] = Float(w[k] / sum)
            }
        }
        return (index, weight)
    }

    /// `plane` (width × height, row-major) resampled to `newWidth` × `newHeight`, on up to `threads` threads.
    public static func bicubic(_ plane: [UInt8], width: Int, height: Int, newWidth: Int, newHeight: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [UInt8] {
        let horizontal = taps(source: width, target: newWidth)
        let vertical = taps(source: height, target: newHeight)
        // Pass 1: every source row resampled to the new width.
        var wide = [Float](repeating: 0, count: height * newWidth)
        let bands = max(1, min(threads, height))
        plane.withUnsafeBufferPointer { src in
            wide.withUnsafeMutableBufferPointer { dst in
                let (src, dst) = (UnsafeBufferPointerBox(src), UnsafeMutableBufferPointerBox(dst))
                DispatchQueue.concurrentPerform(iterations: bands) { band in
                    for row in (height * band / bands)..<(height * (band + 1) / bands) {
                        let input = row * width
                        let output = row * newWidth
                        for x in 0..<newWidth {
                            var sum: Float = 0
                            for k in 0..<4 { sum += Float(src.pointer[input + horizontal.index[x * 4 + k]]) * horizontal.weight[x * 4 + k] }
                            dst.pointer[output + x] = sum
                        }
                    }
                }
            }
        }
        // Pass 2: columns resampled to the new height.
        var out = [UInt8](repeating: 0, count: newWidth * newHeight)
        let outBands = max(1, min(threads, newHeight))
        wide.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let (src, dst) = (UnsafeBufferPointerBox(src), UnsafeMutableBufferPointerBox(dst))
                DispatchQueue.concurrentPerform(iterations: outBands) { band in
                    for row in (newHeight * band / outBands)..<(newHeight * (band + 1) / outBands) {
                        let rows = (0..<4).map { vertical.index[row * 4 + $0] * newWidth }
                        let weights = (0..<4).map { vertical.weight[row * 4 + $0] }
                        for x in 0..<newWidth {
                            var sum: Float = 0
                            for k in 0..<4 { sum += src.pointer[rows[k] + x] * weights[k] }
                            dst.pointer[row * newWidth + x] = UInt8(min(max(sum.rounded(), 0), 255))
                        }
                    }
                }
            }
        }
        return out
    }

    /// A frame scaled by `factor` in both directions, every plane bicubic.
    public static func upscale(_ frame: YUVFrame, factor: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> YUVFrame {
        let w = frame.width * factor, h = frame.height * factor
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        return YUVFrame(
            width: w, height: h,
            y: bicubic(frame.y, width: frame.width, height: frame.height, newWidth: w, newHeight: h, threads: threads),
            u: bicubic(frame.u, width: frame.chromaWidth, height: frame.chromaHeight, newWidth: cw, newHeight: ch, threads: threads),
            v: bicubic(frame.v, width: frame.chromaWidth, height: frame.chromaHeight, newWidth: cw, newHeight: ch, threads: threads))
    }
}

/// Buffer pointers handed to `concurrentPerform`'s closure: each band writes only its own rows, so the
/// threads never touch the same element (that is why sharing them is safe).
struct UnsafeBufferPointerBox<T>: @unchecked Sendable {
    let pointer: UnsafeBufferPointer<T>
    init(_ pointer: UnsafeBufferPointer<T>) { self.pointer = pointer }
}

struct UnsafeMutableBufferPointerBox<T>: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<T>
    init(_ pointer: UnsafeMutableBufferPointer<T>) { self.pointer = pointer }
}
