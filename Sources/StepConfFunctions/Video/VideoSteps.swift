import FoundationEssentials
import Glibc
import StepConfCore
import StepConfWorker

/// Frames as worker jobs: the planes as the payload, the size (and step settings) as parameters.
enum FrameJob {
    static func make(id: Int, kind: String, frame: YUVFrame, extra: String = "", trailer: [UInt8] = []) -> WorkerFrame {
        var payload = Data(capacity: frame.y.count + frame.u.count + frame.v.count + trailer.count)
        payload.append(contentsOf: frame.y)
        payload.append(contentsOf: frame.u)
        payload.append(contentsOf: frame.v)
        payload.append(contentsOf: trailer)
        return WorkerFrame(id: id, kind: kind, parameters: #"{"w":\#(frame.width),"h":\#(frame.height)\#(extra)}"#, payload: payload)
    }

    struct Parameters: Decodable {
        var w: Int
        var h: Int
        var scale: Int?
        var threshold: Int?
        var min_area: Int?
        var hue_min: Double?
        var hue_max: Double?
        var saturation_min: Double?
        var value_min: Double?
    }

    /// The frame and whatever follows its planes in the payload.
    static func read(_ job: WorkerFrame) throws -> (frame: YUVFrame, trailer: [UInt8], parameters: Parameters) {
        guard let text = job.parameters, let p = try? JSONDecoder().decode(Parameters.self, from: Data(text.utf8)),
            p.w > 0, p.h > 0
        else { throw StepInputError(.missingParameter, "video job \(job.id): missing frame size") }
        let bytes = [UInt8](job.payload)
        let luma = p.w * p.h, chroma = ((p.w + 1) / 2) * ((p.h + 1) / 2)
        guard bytes.count >= luma + 2 * chroma else { throw StepInputError(.malformedInput, "video job \(job.id): payload shorter than a \(p.w)×\(p.h) frame") }
        let frame = YUVFrame(
            width: p.w, height: p.h, y: Array(bytes[0..<luma]), u: Array(bytes[luma..<(luma + chroma)]),
            v: Array(bytes[(luma + chroma)..<(luma + 2 * chroma)]))
        return (frame, Array(bytes[(luma + 2 * chroma)...]), p)
    }

    static func frame(_ data: Data, width: Int, height: Int) -> YUVFrame {
        let bytes = [UInt8](data)
        let luma = width * height, chroma = ((width + 1) / 2) * ((height + 1) / 2)
        return YUVFrame(
            width: width, height: height, y: Array(bytes[0..<luma]), u: Array(bytes[luma..<(luma + chroma)]),
            v: Array(bytes[(luma + chroma)..<(luma + 2 * chroma)]))
    }
}

/// Parses every input of a video step, in key order, naming the key on failure.
func parseVideos(_ event: StepEvent, _ inputs: [String: Data]) throws -> [(key: String, video: Y4MVideo)] {
    try event.keys.map { key in
        do {
            return (key, try Y4MVideo.parse(inputs[key] ?? Data()))
        } catch {
            throw StepInputError(.malformedInput, "\(key): \(error)")
        }
    }
}

/// Headers and frame counts of every input of a video step, in key order (no planes copied: for the
/// collect phase, where the frames come back from the workers).
func videoHeaders(_ event: StepEvent, _ inputs: [String: Data]) throws -> [(key: String, video: Y4MVideo, frames: Int)] {
    try event.keys.map { key in
        do {
            let (video, frames) = try Y4MVideo.header(inputs[key] ?? Data())
            return (key, video, frames)
        } catch {
            throw StepInputError(.malformedInput, "\(key): \(error)")
        }
    }
}

func baseName(_ key: String) -> String { String(key.split(separator: "/").last ?? Substring(key)) }

/// `video.extract`: splits each input video into chunks of `frames_per_chunk` frames (`chunk-0000.y4m`, …).
public struct VideoExtract: StepFunction {
    public let kind = "video.extract"
    public init() {}

    public func jobs(for event: StepEvent, inputs: [String: Data]) throws -> [WorkerFrame] {
        let per = max(1, Int(event.param("frames_per_chunk", 8)))
        var jobs: [WorkerFrame] = []
        for (_, video) in try parseVideos(event, inputs) {
            for start in stride(from: 0, to: video.frames.count, by: per) {
                var chunk = video
                chunk.frames = Array(video.frames[start..<min(start + per, video.frames.count)])
                jobs.append(WorkerFrame(id: jobs.count, kind: kind, payload: chunk.encoded()))
            }
        }
        return jobs
    }

    /// Checks the chunk parses as a whole stream and passes it on.
    public func kernel(_ job: WorkerFrame) throws -> Data { try Y4MVideo.parse(job.payload).encoded() }

    public func outputs(for event: StepEvent, inputs: [String: Data], results: [Data]) throws -> [(name: String, data: Data)] {
        results.enumerated().map { ("chunk-\(TextFormat.zeroPadded($0.offset, width: 4)).y4m", $0.element) }
    }
}

/// Steps that turn each frame of each chunk into a new frame (`video.superres`, `video.filter`): one job
/// per frame; the outputs are the chunks, same names, rebuilt in frame order.
protocol FrameMapStep: StepFunction {
    func settings(_ event: StepEvent) -> String
    /// Refuses an input this step cannot turn into frames of its own (before any worker starts).
    func check(_ event: StepEvent, video: Y4MVideo, key: String) throws
    func transform(_ frame: YUVFrame, _ parameters: FrameJob.Parameters) throws -> YUVFrame
}

extension FrameMapStep {
    func check(_ event: StepEvent, video: Y4MVideo, key: String) throws {}

    public func jobs(for event: StepEvent, inputs: [String: Data]) throws -> [WorkerFrame] {
        var jobs: [WorkerFrame] = []
        for (key, video) in try parseVideos(event, inputs) {
            try check(event, video: video, key: key)
            for frame in video.frames { jobs.append(FrameJob.make(id: jobs.count, kind: kind, frame: frame, extra: settings(event))) }
        }
        return jobs
    }

    public func kernel(_ job: WorkerFrame) throws -> Data {
        let (frame, _, parameters) = try FrameJob.read(job)
        let out = try transform(frame, parameters)
        var data = Data(capacity: out.y.count + out.u.count + out.v.count + 16)
        withUnsafeBytes(of: UInt32(out.width).bigEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(out.height).bigEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: out.y)
        data.append(contentsOf: out.u)
        data.append(contentsOf: out.v)
        return data
    }

    public func outputs(for event: StepEvent, inputs: [String: Data], results: [Data]) throws -> [(name: String, data: Data)] {
        var next = 0
        var outputs: [(name: String, data: Data)] = []
        for (key, video, frames) in try videoHeaders(event, inputs) {
            var out = video
            for _ in 0..<frames {
                let bytes = [UInt8](results[next])
                next += 1
                let w = Int(bytes[0..<4].reduce(0) { $0 << 8 | UInt32($1) }), h = Int(bytes[4..<8].reduce(0) { $0 << 8 | UInt32($1) })
                out.width = w
                out.height = h
                out.frames.append(FrameJob.frame(Data(bytes[8...]), width: w, height: h))
            }
            outputs.append((baseName(key), out.encoded()))
        }
        return outputs
    }
}

/// `video.superres`: every frame upscaled by `scale` (2) with bicubic resampling, rows on threads.
public struct VideoSuperResolution: FrameMapStep {
    public let kind = "video.superres"
    /// The inputs, kept between `jobs` and `outputs` of one invocation to rebuild the chunks.
    public init() {}

    /// The largest `scale`, and the largest upscaled frame side (y4m's own bound, ``Y4MVideo/maxSide``).
    static let maxScale = 8

    func settings(_ event: StepEvent) -> String { #","scale":\#(Int(event.param("scale", 2)))"# }

    /// Whether frames of `width` × `height` upscaled by `scale` stay within a stream's bounds (the rule the event check
    /// and the worker both apply).
    static func fits(scale: Int, width: Int, height: Int) -> Bool {
        (1...maxScale).contains(scale) && width * scale <= Y4MVideo.maxSide && height * scale <= Y4MVideo.maxSide
    }

    func check(_ event: StepEvent, video: Y4MVideo, key: String) throws {
        let scale = event.param("scale", 2)
        guard scale == scale.rounded(), (1...Double(Self.maxScale)).contains(scale) else {
            throw StepInputError(.invalidParameter, "video.superres: params.scale must be a whole number in 1…\(Self.maxScale), got \(scale)")
        }
        guard Self.fits(scale: Int(scale), width: video.width, height: video.height) else {
            throw StepInputError(
                .invalidParameter,
                "video.superres: \(key) is \(video.width)×\(video.height); scale \(Int(scale)) would make frames wider or taller than \(Y4MVideo.maxSide)")
        }
    }

    func transform(_ frame: YUVFrame, _ p: FrameJob.Parameters) throws -> YUVFrame {
        // The job's parameters come from ``check`` above; a worker still refuses what would not fit rather than trap.
        let scale = p.scale ?? 2
        guard Self.fits(scale: scale, width: frame.width, height: frame.height) else {
            throw StepInputError(.invalidParameter, "video.superres: scale \(scale) does not fit a \(frame.width)×\(frame.height) frame")
        }
        return Resample.upscale(frame, factor: scale)
    }

}

/// `video.colorfilter`: keeps the colours inside an HSV range (`hue_min`, `hue_max` in degrees, wrapping
/// through 0 when min > max; `saturation_min`, `value_min` in [0, 1]) and turns the rest grey.
public struct VideoColorFilter: FrameMapStep {
    public let kind = "video.colorfilter"
    public init() {}

    func settings(_ event: StepEvent) -> String {
        #","hue_min":\#(event.param("hue_min", 330)),"hue_max":\#(event.param("hue_max", 30)),"saturation_min":\#(event.param("saturation_min", 0.4)),"value_min":\#(event.param("value_min", 0.2))"#
    }

    func transform(_ frame: YUVFrame, _ p: FrameJob.Parameters) throws -> YUVFrame {
        ColorFilter.apply(frame, hueMin: p.hue_min ?? 330, hueMax: p.hue_max ?? 30, saturationMin: p.saturation_min ?? 0.4, valueMin: p.value_min ?? 0.2)
    }

}

/// `video.detect`: bounding boxes of moving objects per frame (``Detection``); the background of each
/// chunk is its per-pixel median, computed before the jobs go out. Output: `detections-{chunk}.json`,
/// `[{"frame": i, "boxes": [{"x0", "y0", "x1", "y1", "area"}]}]`.
public struct VideoDetect: StepFunction {
    public let kind = "video.detect"
    public init() {}

    public func jobs(for event: StepEvent, inputs: [String: Data]) throws -> [WorkerFrame] {
        let extra = #","threshold":\#(Int(event.param("threshold", 40))),"min_area":\#(Int(event.param("min_area", 12)))"#
        var jobs: [WorkerFrame] = []
        for (_, video) in try parseVideos(event, inputs) {
            guard let background = Detection.medianBackground(video.frames) else { continue }
            let trailer = background.y + background.u + background.v
            for frame in video.frames {
                jobs.append(FrameJob.make(id: jobs.count, kind: kind, frame: frame, extra: extra, trailer: trailer))
            }
        }
        return jobs
    }

    public func kernel(_ job: WorkerFrame) throws -> Data {
        let (frame, trailer, p) = try FrameJob.read(job)
        guard trailer.count == YUVFrame.byteCount(width: frame.width, height: frame.height) else {
            throw StepInputError(.missingParameter, "video.detect job \(job.id): no background frame")
        }
        let background = FrameJob.frame(Data(trailer), width: frame.width, height: frame.height)
        let boxes = Detection.boxes(frame: frame, background: background, threshold: p.threshold ?? 40, minArea: p.min_area ?? 12)
        // Sorted keys: without them the key order follows each worker process's hash seed.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(boxes)
    }

    public func outputs(for event: StepEvent, inputs: [String: Data], results: [Data]) throws -> [(name: String, data: Data)] {
        var next = 0
        var outputs: [(name: String, data: Data)] = []
        for (key, _, frames) in try videoHeaders(event, inputs) {
            var rows: [String] = []
            for i in 0..<frames {
                rows.append(#"{"frame":\#(i),"boxes":\#(String(decoding: results[next], as: UTF8.self))}"#)
                next += 1
            }
            let name = "detections-" + baseName(key).replacing(".y4m", with: ".json")
            outputs.append((name, Data("[\(rows.joined(separator: ","))]".utf8)))
        }
        return outputs
    }
}

/// `video.encode`: the chunks (`.y4m` inputs), in key order, reassembled into one `video.y4m` (header of
/// the first).
public struct VideoEncode: StepFunction {
    public let kind = "video.encode"
    public init() {}

    /// The chunks among the inputs (other inputs, such as the detections a workflow passes along, are not video).
    static func chunkKeys(_ event: StepEvent) -> [String] { event.keys.filter { $0.hasSuffix(".y4m") }.sorted() }

    public func jobs(for event: StepEvent, inputs: [String: Data]) throws -> [WorkerFrame] {
        Self.chunkKeys(event).enumerated().map { WorkerFrame(id: $0.offset, kind: kind, payload: inputs[$0.element] ?? Data()) }
    }

    /// The chunk's FRAME records as they are, once the chunk has been checked.
    public func kernel(_ job: WorkerFrame) throws -> Data {
        _ = try Y4MVideo.header(job.payload)
        guard let headerEnd = job.payload.firstIndex(of: 0x0A) else { throw StepInputError(.malformedInput, "video.encode: chunk without a header") }
        return job.payload.subdata(in: (headerEnd + 1)..<job.payload.endIndex)
    }

    public func outputs(for event: StepEvent, inputs: [String: Data], results: [Data]) throws -> [(name: String, data: Data)] {
        let keys = Self.chunkKeys(event)
        guard let firstKey = keys.first else { return [] }
        var header = try Y4MVideo.header(inputs[firstKey] ?? Data()).video
        for key in keys.dropFirst() {
            let other = try Y4MVideo.header(inputs[key] ?? Data()).video
            guard other.width == header.width, other.height == header.height else {
                throw StepInputError(.malformedInput, "video.encode: \(key) is \(other.width)×\(other.height), \(firstKey) is \(header.width)×\(header.height)")
            }
        }
        var out = header.encoded()
        for part in results { out.append(part) }
        return [("video.y4m", out)]
    }
}
