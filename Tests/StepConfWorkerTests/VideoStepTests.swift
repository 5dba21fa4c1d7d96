import Foundation
import StepConfCore
import StepConfFunctions
import StepConfStorage
import StepConfWorker
import StepConfTestSupport
import Testing

@Suite(.serialized) struct VideoStepTests {
    @Test func y4mRoundTripsAndBadStreamsAreNamed() throws {
        let (video, _) = SyntheticVideo.make(width: 32, height: 18, frames: 3)
        let data = video.encoded()
        #expect(String(decoding: data.prefix(47), as: UTF8.self).hasPrefix("YUV4MPEG2 W32 H18 F30:1 Ip A1:1 C420jpeg\nFRAME\n"))
        #expect(try Y4MVideo.parse(data) == video)
        let truncated = #expect(throws: StepInputError.self) { try Y4MVideo.parse(data.dropLast(10)) }
        #expect(truncated?.message.contains("frame 2 is truncated") == true)
        #expect(throws: StepInputError.self) { try Y4MVideo.parse(Data("YUV4MPEG2 W4 H4 C444\n".utf8)) }
        #expect(throws: StepInputError.self) { try Y4MVideo.parse(Data("GIF89a".utf8)) }
    }

    /// A scale that is not a whole number in 1…8, or that would make frames larger than a stream may hold, is refused
    /// with the field and its range before any worker starts; no manifest is written.
    @Test(arguments: [0.0, -2, 1.5, 9, 1e12, 4])
    func aSuperResolutionScaleOutOfRangeIsRefusedBeforeAnyWorkerStarts(scale: Double) throws {
        let store = try LocalDirectoryStore(root: TestPaths.scratch("superres-scale"))
        // 4,200 pixels wide: scale 4 would make frames 16,800 wide, past y4m's 16,384.
        let width = scale == 4 ? 4_200 : 32
        try store.put("in/v.y4m", data: SyntheticVideo.make(width: width, height: 18, frames: 1).video.encoded())
        let error = #expect(throws: StepInputError.self) {
            try wrapper(VideoSuperResolution(), store: store).run(StepEvent(
                execution: "s", step: "superres", jobEnd: 1, keys: ["in/v.y4m"], params: ["scale": scale]))
        }
        #expect(error?.message.contains(scale == 4 ? "16384" : "params.scale must be a whole number in 1…8") == true, "\(error?.message ?? "")")
        #expect(try store.list(prefix: "runs/s/").isEmpty)
    }

    /// The whole pipeline on a video of moving shapes: extract → superres → detect, filter → encode.
    @Test func thePipelineFindsTheShapesWhereTheyAreForEveryQ() throws {
        let (video, truth) = SyntheticVideo.make(width: 96, height: 64, frames: 16)
        var detections: [String] = []
        var encodedVideos: [Data] = []
        for q in [1, 3] {
            let store = try LocalDirectoryStore(root: TestPaths.scratch("video-\(q)"))
            try store.put("in/video.y4m", data: video.encoded())
            let extract = try wrapper(VideoExtract(), store: store).run(StepEvent(
                execution: "v", step: "extract", intra: q, jobEnd: 2, keys: ["in/video.y4m"], params: ["frames_per_chunk": 8]))
            #expect(extract.outputs.map { String($0.split(separator: "/").last!) } == ["chunk-0000.y4m", "chunk-0001.y4m", "manifest.json"].dropLast())
            let superres = try wrapper(VideoSuperResolution(), store: store).run(StepEvent(
                execution: "v", step: "superres", intra: q, jobEnd: 16, keys: extract.outputs, params: ["scale": 2]))
            let big = try Y4MVideo.parse(try store.get(superres.outputs[0]))
            #expect(big.width == 192 && big.height == 128 && big.frames.count == 8)
            let detect = try wrapper(VideoDetect(), store: store).run(StepEvent(
                execution: "v", step: "detect", intra: q, jobEnd: 16, keys: superres.outputs, params: ["min_area": 40]))
            // Ground truth at 2×: each true box doubled; bicubic blurs edges by about a pixel.
            for (chunk, key) in detect.outputs.enumerated() {
                let rows = try JSONSerialization.jsonObject(with: try store.get(key)) as! [[String: Any]]
                for row in rows {
                    let frame = chunk * 8 + (row["frame"] as! Int)
                    let boxes = (row["boxes"] as! [[String: Int]])
                    let expected = truth[frame].map { ($0.x0 * 2, $0.y0 * 2, $0.x1 * 2 + 1, $0.y1 * 2 + 1) }
                    #expect(boxes.count == expected.count, "frame \(frame): \(boxes)")
                    for (found, want) in zip(boxes, expected) {
                        #expect(abs(found["x0"]! - want.0) <= 2 && abs(found["y0"]! - want.1) <= 2, "frame \(frame)")
                        #expect(abs(found["x1"]! - want.2) <= 2 && abs(found["y1"]! - want.3) <= 2, "frame \(frame)")
                    }
                }
                detections.append(String(decoding: try store.get(key), as: UTF8.self))
            }
            let filtered = try wrapper(VideoColorFilter(), store: store).run(StepEvent(
                execution: "v", step: "filter", intra: q, jobEnd: 16, keys: superres.outputs, params: ["hue_min": 330, "hue_max": 30]))
            let encode = try wrapper(VideoEncode(), store: store).run(StepEvent(
                execution: "v", step: "encode", intra: q, jobEnd: 2, keys: filtered.outputs.reversed()))
            let final = try Y4MVideo.parse(try store.get(encode.outputs[0]))
            #expect(final.frames.count == 16 && final.width == 192)
            // Red survives the filter, blue turns grey: check the chroma at each shape's centre in frame 0.
            let f0 = final.frames[0]
            let red = truth[0].first { $0.x0 == 4 }!, blue = truth[0].first { $0.x0 != 4 }!
            func chroma(_ box: Detection.Box) -> (UInt8, UInt8) {
                let cx = (box.x0 + box.x1), cy = (box.y0 + box.y1)  // centre at 2×, then halved for chroma
                let i = (cy / 2) * f0.chromaWidth + cx / 2
                return (f0.u[i], f0.v[i])
            }
            #expect(chroma(red).1 > 180)
            #expect(chroma(blue) == (128, 128))
            encodedVideos.append(try store.get(encode.outputs[0]))
        }
        #expect(detections.count == 4)
        #expect(detections[0] == detections[2], "\(detections[0]) vs \(detections[2])")
        #expect(detections[1] == detections[3])
        #expect(encodedVideos[0] == encodedVideos[1])
    }

    @Test func bicubicUpscaleMatchesADirectComputation() {
        // An independent, unoptimized 2-D bicubic: for each output pixel, 16 taps weighted directly.
        func keys(_ t: Double) -> Double {
            let x = abs(t)
            return x <= 1 ? 1.5 * x * x * x - 2.5 * x * x + 1 : (x < 2 ? -0.5 * x * x * x + 2.5 * x * x - 4 * x + 2 : 0)
        }
        let w = 13, h = 7
        var random = SeededRandom(seed: 4)
        let plane = (0..<(w * h)).map { _ in UInt8(random.next() % 256) }
        let out = Resample.bicubic(plane, width: w, height: h, newWidth: 2 * w, newHeight: 2 * h, threads: 3)
        var worst = 0.0
        for oy in 0..<(2 * h) {
            for ox in 0..<(2 * w) {
                let sx = (Double(ox) + 0.5) / 2 - 0.5, sy = (Double(oy) + 0.5) / 2 - 0.5
                let bx = Int(sx.rounded(.down)) - 1, by = Int(sy.rounded(.down)) - 1
                var sum = 0.0, norm = 0.0
                for j in 0..<4 {
                    for i in 0..<4 {
                        let weight = keys(sx - Double(bx + i)) * keys(sy - Double(by + j))
                        let x = min(max(bx + i, 0), w - 1), y = min(max(by + j, 0), h - 1)
                        sum += weight * Double(plane[y * w + x])
                        norm += weight
                    }
                }
                let reference = min(max((sum / norm).rounded(), 0), 255)
                worst = max(worst, abs(reference - Double(out[oy * (2 * w) + ox])))
            }
        }
        #expect(worst <= 1)
        // A flat plane stays flat.
        #expect(Resample.bicubic([UInt8](repeating: 77, count: 20), width: 5, height: 4, newWidth: 10, newHeight: 8).allSatisfy { $0 == 77 })
    }
}

/// Interoperability with ffmpeg, where it is installed (`scripts/test.sh` installs it): what ffmpeg writes we read,
/// what we write ffmpeg reads.
@Suite(.serialized) struct FFmpegTests {
    static let ffmpeg = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func run(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ffmpeg!)
        process.arguments = ["-v", "error", "-nostdin"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test(.enabled(if: FFmpegTests.ffmpeg != nil, "ffmpeg is not installed"))
    func ffmpegVideoGoesThroughThePipelineAndBack() throws {
        let source = TestPaths.scratch("ffmpeg-in.y4m")
        #expect(try run(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "12", "-pix_fmt", "yuv420p", source]).status == 0)
        let store = try LocalDirectoryStore(root: TestPaths.scratch("ffmpeg-store"))
        try store.put("in/test.y4m", data: try Data(contentsOf: URL(fileURLWithPath: source)))
        let extract = try wrapper(VideoExtract(), store: store).run(StepEvent(
            execution: "ff", step: "extract", intra: 2, jobEnd: 2, keys: ["in/test.y4m"], params: ["frames_per_chunk": 5]))
        #expect(extract.outputs.count == 3)
        let superres = try wrapper(VideoSuperResolution(), store: store).run(StepEvent(
            execution: "ff", step: "superres", intra: 2, jobEnd: 12, keys: extract.outputs))
        let encode = try wrapper(VideoEncode(), store: store).run(StepEvent(
            execution: "ff", step: "encode", intra: 2, jobEnd: 3, keys: superres.outputs))
        let ours = TestPaths.scratch("ours.y4m")
        try store.get(encode.outputs[0]).write(to: URL(fileURLWithPath: ours))
        // ffmpeg decodes our stream; re-encoding it to y4m gives 12 frames of 128×96.
        let back = TestPaths.scratch("back.y4m")
        let result = try run(["-i", ours, "-f", "yuv4mpegpipe", back])
        #expect(result.status == 0, "\(result.errors)")
        let decoded = try Y4MVideo.parse(try Data(contentsOf: URL(fileURLWithPath: back)))
        #expect(decoded.width == 128 && decoded.height == 96 && decoded.frames.count == 12)
        #expect(decoded.frames == (try Y4MVideo.parse(try store.get(encode.outputs[0]))).frames)
    }
}
