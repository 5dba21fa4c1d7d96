import FoundationEssentials
import Glibc
import StepConfWorker

/// One picture in planar Y′CbCr 4:2:0 (the layout of YUV4MPEG2's `C420*` colour spaces): a full-size luma
/// plane and two chroma planes of half width and height (rounded up).
public struct YUVFrame: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var y: [UInt8]
    public var u: [UInt8]
    public var v: [UInt8]

    public var chromaWidth: Int { (width + 1) / 2 }
    public var chromaHeight: Int { (height + 1) / 2 }

    /// A frame filled with one colour.
    public init(width: Int, height: Int, y: UInt8 = 16, u: UInt8 = 128, v: UInt8 = 128) {
        self.width = width
        self.height = height
        self.y = [UInt8](repeating: y, count: width * height)
        let chroma = ((width + 1) / 2) * ((height + 1) / 2)
        self.u = [UInt8](repeating: u, count: chroma)
        self.v = [UInt8](repeating: v, count: chroma)
    }

    public init(width: Int, height: Int, y: [UInt8], u: [UInt8], v: [UInt8]) {
        self.width = width
        self.height = height
        self.y = y
        self.u = u
        self.v = v
    }

    /// Bytes of one frame's planes.
    public static func byteCount(width: Int, height: Int) -> Int { width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2) }
}

/// A YUV4MPEG2 (`.y4m`) stream, the uncompressed format ffmpeg reads and writes (`ffmpeg -i in.y4m …`):
/// a header line `YUV4MPEG2 W… H… F…:… …`, then for each frame a `FRAME` line and the planes. 4:2:0 only
/// (`C420jpeg`, `C420mpeg2`, `C420paldv`, `C420`, or no `C` tag, which means 4:2:0).
public struct Y4MVideo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Frame rate as a fraction, e.g. 30:1.
    public var frameRate: String
    /// The header's other tags, kept as they were (`Ip`, `A1:1`, `C420jpeg`, `X…`).
    public var otherTags: [String]
    public var frames: [YUVFrame]

    public init(width: Int, height: Int, frameRate: String = "30:1", otherTags: [String] = ["Ip", "A1:1", "C420jpeg"], frames: [YUVFrame] = []) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.otherTags = otherTags
        self.frames = frames
    }

    /// The widest and tallest frame a stream may have (and a step make), pixels.
    public static let maxSide = 16_384

    /// Parses a whole stream.
    /// - Throws: ``StepInputError`` (`.malformedInput`) naming the problem (bad magic, missing size, unsupported colour space,
    ///   a truncated frame and its number).
    public static func parse(_ data: Data) throws -> Y4MVideo {
        try scan(data, keepFrames: true).video
    }

    /// The header and the number of frames, checked as ``parse(_:)`` checks them but without copying the
    /// planes (`frames` stays empty).
    /// - Throws: ``StepInputError`` (`.malformedInput`) as ``parse(_:)``.
    public static func header(_ data: Data) throws -> (video: Y4MVideo, frameCount: Int) {
        try scan(data, keepFrames: false)
    }

    private static func scan(_ data: Data, keepFrames: Bool) throws -> (video: Y4MVideo, frameCount: Int) {
        let bytes = [UInt8](data)
        guard let headerEnd = bytes.firstIndex(of: 0x0A) else { throw StepInputError(.malformedInput, "y4m: no header line") }
        let header = String(decoding: bytes[0..<headerEnd], as: UTF8.self).split(separator: " ").map(String.init)
        guard header.first == "YUV4MPEG2" else { throw StepInputError(.malformedInput, "y4m: the stream does not start with YUV4MPEG2") }
        var width = 0, height = 0
        var rate = "30:1"
        var others: [String] = []
        for tag in header.dropFirst() {
            switch tag.first {
            case "W": width = Int(tag.dropFirst()) ?? 0
            case "H": height = Int(tag.dropFirst()) ?? 0
            case "F": rate = String(tag.dropFirst())
            case "C":
                guard tag.hasPrefix("C420") else { throw StepInputError(.malformedInput, "y4m: colour space \(tag.dropFirst()) is not supported (4:2:0 only)") }
                others.append(tag)
            default: others.append(tag)
            }
        }
        guard width > 0, height > 0, width <= maxSide, height <= maxSide else {
            throw StepInputError(.malformedInput, "y4m: the header has no valid W and H (\(header.joined(separator: " ")))")
        }
        var video = Y4MVideo(width: width, height: height, frameRate: rate, otherTags: others)
        let planeBytes = YUVFrame.byteCount(width: width, height: height)
        let luma = width * height
        let chroma = ((width + 1) / 2) * ((height + 1) / 2)
        var i = headerEnd + 1
        var count = 0
        while i < bytes.count {
            guard let lineEnd = bytes[i...].firstIndex(of: 0x0A), bytes[i..<min(i + 5, bytes.count)].elementsEqual("FRAME".utf8) else {
                throw StepInputError(.malformedInput, "y4m: frame \(count) does not start with FRAME")
            }
            let start = lineEnd + 1
            guard start + planeBytes <= bytes.count else {
                throw StepInputError(.malformedInput, "y4m: frame \(count) is truncated (\(bytes.count - start) of \(planeBytes) bytes)")
            }
            if keepFrames {
                video.frames.append(YUVFrame(
                    width: width, height: height, y: Array(bytes[start..<(start + luma)]),
                    u: Array(bytes[(start + luma)..<(start + luma + chroma)]),
                    v: Array(bytes[(start + luma + chroma)..<(start + planeBytes)])))
            }
            count += 1
            i = start + planeBytes
        }
        return (video, count)
    }

    /// The stream's bytes.
    public func encoded() -> Data {
        var out = Data()
        out.reserveCapacity(64 + frames.count * (6 + YUVFrame.byteCount(width: width, height: height)))
        out.append(contentsOf: (["YUV4MPEG2", "W\(width)", "H\(height)", "F\(frameRate)"] + otherTags).joined(separator: " ").utf8)
        out.append(0x0A)
        for frame in frames {
            out.append(contentsOf: "FRAME\n".utf8)
            out.append(contentsOf: frame.y)
            out.append(contentsOf: frame.u)
            out.append(contentsOf: frame.v)
        }
        return out
    }
}
