import ArgumentParser
import Foundation
import StepConfCore
import StepConfFunctions
import StepConfStorage

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write test inputs for the real step functions: the word-count corpus or a video of moving shapes.",
        discussion: """
            wordcount: FILES text files of WORDS words (100 × 638 by default, the second paper's workload), \
            text-000.txt … in --out. video: a YUV4MPEG2 file (video.y4m, ffmpeg reads it) of two coloured \
            rectangles moving over a textured background, and truth.json with their true boxes per frame.

            Example: stepconf generate wordcount --out /tmp/stepconf-store/in
            Example: stepconf generate video --width 640 --height 360 --frames 48 --out /tmp/stepconf-store/in
            """)

    @Argument(help: ArgumentHelp("wordcount or video.", valueName: "what")) var what: String
    @Option(help: ArgumentHelp("Directory to write into (created if missing).", valueName: "dir")) var out: String
    @Option(help: "wordcount: number of files.") var files = 100
    @Option(help: "wordcount: words per file.") var words = 638
    @Option(help: "video: width in pixels (even).") var width = 320
    @Option(help: "video: height in pixels (even).") var height = 180
    @Option(help: "video: number of frames.") var frames = 48
    @OptionGroup var random: SeedOption

    func validate() throws {
        guard what == "wordcount" || what == "video" else { throw ValidationError("what must be wordcount or video, got `\(what)`") }
        guard files >= 1, words >= 1, frames >= 1 else { throw ValidationError("--files, --words and --frames must be at least 1") }
        guard width >= 32, height >= 32, width % 2 == 0, height % 2 == 0, width <= 4096, height <= 4096 else {
            throw ValidationError("--width and --height must be even, from 32 to 4096")
        }
    }

    func run() throws {
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw CLIError(.input, "cannot create \(out): \(error.localizedDescription)")
        }
        let directory = URL(fileURLWithPath: out)
        if what == "wordcount" {
            let corpus = WordCount.corpus(files: files, wordsPerFile: words, seed: random.seed)
            for file in corpus { try AtomicFile.write(Data(file.text.utf8), to: directory.appendingPathComponent(file.name).path) }
            print("wrote \(corpus.count) files of \(words) words to \(out)")
        } else {
            let (video, truth) = SyntheticVideo.make(width: width, height: height, frames: frames)
            let path = directory.appendingPathComponent("video.y4m").path
            try AtomicFile.write(video.encoded(), to: path)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try AtomicFile.write(try encoder.encode(truth), to: directory.appendingPathComponent("truth.json").path)
            print("wrote \(path) (\(width)×\(height), \(frames) frames, 4:2:0) and truth.json")
        }
    }
}
