import FoundationEssentials
import Glibc

/// Object detection by background subtraction and connected components: the background is the per-pixel
/// median of the chunk's frames, every plane (moving objects cover any pixel in only a few frames); a pixel
/// whose colour differs from it by more than `threshold` — |ΔY| + |ΔCb| + |ΔCr|, chroma from the pixel's
/// 2×2 block, so an object as bright as the background but of another colour still shows — is
/// foreground; 8-connected foreground regions of at least `minArea` pixels are objects, reported as
/// bounding boxes.
public enum Detection {
    /// A bounding box, inclusive pixel coordinates.
    public struct Box: Sendable, Codable, Equatable, Comparable {
        public var x0: Int
        public var y0: Int
        public var x1: Int
        public var y1: Int
        /// Foreground pixels in the region.
        public var area: Int

        public init(x0: Int, y0: Int, x1: Int, y1: Int, area: Int) {
            self.x0 = x0
            self.y0 = y0
            self.x1 = x1
            self.y1 = y1
            self.area = area
        }

        public static func < (a: Box, b: Box) -> Bool { (a.x0, a.y0, a.x1, a.y1) < (b.x0, b.y0, b.x1, b.y1) }
    }

    /// The per-pixel median of `planes` (equal sizes).
    public static func medianPlane(_ planes: [[UInt8]]) -> [UInt8] {
        guard let first = planes.first else { return [] }
        var out = [UInt8](repeating: 0, count: first.count)
        var column = [UInt8](repeating: 0, count: planes.count)
        for i in 0..<first.count {
            for (k, plane) in planes.enumerated() { column[k] = plane[i] }
            column.sort()
            out[i] = column[column.count / 2]
        }
        return out
    }

    /// The background of `frames`: every plane's per-pixel median.
    public static func medianBackground(_ frames: [YUVFrame]) -> YUVFrame? {
        guard let first = frames.first else { return nil }
        return YUVFrame(
            width: first.width, height: first.height, y: medianPlane(frames.map(\.y)), u: medianPlane(frames.map(\.u)),
            v: medianPlane(frames.map(\.v)))
    }

    /// Boxes of the regions of `frame` that differ from `background`, sorted.
    public static func boxes(frame: YUVFrame, background: YUVFrame, threshold: Int = 40, minArea: Int = 12) -> [Box] {
        let width = frame.width, height = frame.height
        var foreground = [Bool](repeating: false, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x, c = (y / 2) * frame.chromaWidth + x / 2
                let distance = abs(Int(frame.y[i]) - Int(background.y[i])) + abs(Int(frame.u[c]) - Int(background.u[c]))
                    + abs(Int(frame.v[c]) - Int(background.v[c]))
                foreground[i] = distance > threshold
            }
        }
        var seen = [Bool](repeating: false, count: width * height)
        var found: [Box] = []
        var stack: [Int] = []
        for start in 0..<foreground.count where foreground[start] && !seen[start] {
            var box = Box(x0: width, y0: height, x1: -1, y1: -1, area: 0)
            seen[start] = true
            stack.append(start)
            while let p = stack.popLast() {
                let x = p % width, y = p / width
                box.x0 = min(box.x0, x); box.x1 = max(box.x1, x)
                box.y0 = min(box.y0, y); box.y1 = max(box.y1, y)
                box.area += 1
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                        let q = ny * width + nx
                        if foreground[q] && !seen[q] {
                            seen[q] = true
                            stack.append(q)
                        }
                    }
                }
            }
            if box.area >= minArea { found.append(box) }
        }
        return found.sorted()
    }
}

/// Colour conversions (BT.601, full range as `C420jpeg` streams use) and the HSV range mask of the
/// colour filter step.
public enum ColorFilter {
    /// RGB (0…255) of a Y′CbCr sample.
    public static func rgb(y: UInt8, u: UInt8, v: UInt8) -> (r: Double, g: Double, b: Double) {
        let yy = Double(y), cb = Double(u) - 128, cr = Double(v) - 128
        func clamp(_ x: Double) -> Double { min(max(x, 0), 255) }
        return (clamp(yy + 1.402 * cr), clamp(yy - 0.344136 * cb - 0.714136 * cr), clamp(yy + 1.772 * cb))
    }

    /// Y′CbCr of an RGB colour.
    public static func yuv(r: Double, g: Double, b: Double) -> (y: UInt8, u: UInt8, v: UInt8) {
        func byte(_ x: Double) -> UInt8 { UInt8(min(max(x.rounded(), 0), 255)) }
        let y = 0.299 * r + 0.587 * g + 0.114 * b
        return (byte(y), byte(128 - 0.168736 * r - 0.331264 * g + 0.5 * b), byte(128 + 0.5 * r - 0.418688 * g - 0.081312 * b))
    }

    /// Hue in degrees [0, 360), saturation and value in [0, 1].
    public static func hsv(r: Double, g: Double, b: Double) -> (h: Double, s: Double, v: Double) {
        let maxC = max(r, g, b), minC = min(r, g, b), delta = maxC - minC
        var h = 0.0
        if delta > 0 {
            if maxC == r { h = 60 * ((g - b) / delta).truncatingRemainder(dividingBy: 6) }
            else if maxC == g { h = 60 * ((b - r) / delta + 2) }
            else { h = 60 * ((r - g) / delta + 4) }
        }
        if h < 0 { h += 360 }
        return (h, maxC == 0 ? 0 : delta / maxC, maxC / 255)
    }

    /// The frame with every colour outside the HSV range turned grey (chroma 128, luma kept). A hue range
    /// with `hueMin > hueMax` wraps through 0° (reds). Decided per chroma sample, with the mean luma of
    /// the 2×2 pixels it covers.
    public static func apply(
        _ frame: YUVFrame, hueMin: Double, hueMax: Double, saturationMin: Double, valueMin: Double
    ) -> YUVFrame {
        var out = frame
        for cy in 0..<frame.chromaHeight {
            for cx in 0..<frame.chromaWidth {
                var sum = 0, n = 0
                for dy in 0..<2 {
                    for dx in 0..<2 {
                        let x = 2 * cx + dx, y = 2 * cy + dy
                        if x < frame.width && y < frame.height { sum += Int(frame.y[y * frame.width + x]); n += 1 }
                    }
                }
                let i = cy * frame.chromaWidth + cx
                let c = rgb(y: UInt8(sum / max(n, 1)), u: frame.u[i], v: frame.v[i])
                let (h, s, v) = hsv(r: c.r, g: c.g, b: c.b)
                let inHue = hueMin <= hueMax ? (h >= hueMin && h <= hueMax) : (h >= hueMin || h <= hueMax)
                if !(inHue && s >= saturationMin && v >= valueMin) {
                    out.u[i] = 128
                    out.v[i] = 128
                }
            }
        }
        return out
    }
}
