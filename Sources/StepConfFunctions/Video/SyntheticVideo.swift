import FoundationEssentials
import Glibc

/// A small test video with known content: a static textured grey background and two coloured rectangles
/// moving in straight lines (a red one right, a blue one down and left), with the true bounding box of
/// each in every frame.
public enum SyntheticVideo {
    public struct Shape: Sendable {
        public var width: Int
        public var height: Int
        public var x: Int
        public var y: Int
        public var dx: Int
        public var dy: Int
        public var rgb: (Double, Double, Double)
    }

    /// The shapes of ``make(width:height:frames:)``.
    public static func shapes(width: Int, height: Int) -> [Shape] {
        [
            Shape(width: 10, height: 8, x: 4, y: height / 4, dx: 5, dy: 0, rgb: (230, 30, 30)),
            Shape(width: 8, height: 12, x: width - 20, y: 4, dx: -3, dy: 4, rgb: (30, 60, 230)),
        ]
    }

    /// `frames` frames of `width` × `height` (even sizes), and per frame the true boxes sorted as
    /// ``Detection/Box`` sorts (inclusive coordinates, area = width·height).
    public static func make(width: Int = 96, height: Int = 64, frames: Int = 8) -> (video: Y4MVideo, truth: [[Detection.Box]]) {
        var video = Y4MVideo(width: width, height: height)
        var truth: [[Detection.Box]] = []
        for f in 0..<frames {
            var frame = YUVFrame(width: width, height: height)
            for y in 0..<height {
                for x in 0..<width { frame.y[y * width + x] = UInt8(70 + (x * 3 + y * 5) % 24) }
            }
            var boxes: [Detection.Box] = []
            for shape in shapes(width: width, height: height) {
                let x0 = shape.x + shape.dx * f, y0 = shape.y + shape.dy * f
                let color = ColorFilter.yuv(r: shape.rgb.0, g: shape.rgb.1, b: shape.rgb.2)
                for y in y0..<(y0 + shape.height) {
                    for x in x0..<(x0 + shape.width) where x >= 0 && y >= 0 && x < width && y < height {
                        frame.y[y * width + x] = color.y
                        frame.u[(y / 2) * frame.chromaWidth + x / 2] = color.u
                        frame.v[(y / 2) * frame.chromaWidth + x / 2] = color.v
                    }
                }
                let box = Detection.Box(
                    x0: max(0, x0), y0: max(0, y0), x1: min(width - 1, x0 + shape.width - 1), y1: min(height - 1, y0 + shape.height - 1),
                    area: 0)
                // Only what is in the picture counts: a shape that has left it has no box.
                if box.x1 >= box.x0 && box.y1 >= box.y0 {
                    boxes.append(Detection.Box(x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1, area: (box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1)))
                }
            }
            video.frames.append(frame)
            truth.append(boxes.sorted())
        }
        return (video, truth)
    }
}
