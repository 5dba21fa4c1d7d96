import FoundationEssentials
import Glibc
import StepConfCore
import StepConfWorker

/// Word count, the second paper's workload: `wordcount.map` counts the words of each input text file (a
/// job per file), `wordcount.reduce` adds up count files (a job per file); each instance merges its jobs'
/// counts into one `counts.json` (`{"word": n, …}`, sorted keys).
public struct WordCountMap: StepFunction {
    public let kind = "wordcount.map"

    public init() {}

    public func jobs(for event: StepEvent, inputs: [String: Data]) throws -> [WorkerFrame] {
        WordCount.fileJobs(event, inputs, kind: kind)
    }

    public func kernel(_ job: WorkerFrame) throws -> Data {
        try WordCount.encode(WordCount.count(job.payload))
    }

    public func outputs(for event: StepEvent, inputs: [String: Data], results: [Data]) throws -> [(name: String, data: Data)] {
        [("counts.json", try WordCount.encode(WordCount.merge(try results.map(WordCount.decode))))]
    }
}

/// The reduce side: count files in, their sum out.
public struct WordCountReduce: StepFunction {
    public let kind = "wordcount.reduce"

    public init() {}

    public func jobs(for event: StepEvent, inputs: [String: Data]) throws -> [WorkerFrame] {
        WordCount.fileJobs(event, inputs, kind: kind)
    }

    public func kernel(_ job: WorkerFrame) throws -> Data {
        try WordCount.encode(try WordCount.decode(job.payload))  // validates one count file
    }

    public func outputs(for event: StepEvent, inputs: [String: Data], results: [Data]) throws -> [(name: String, data: Data)] {
        [("counts.json", try WordCount.encode(WordCount.merge(try results.map(WordCount.decode))))]
    }
}

/// Counting, merging and the corpus generator.
public enum WordCount {
    /// Words of `text`: maximal runs of letters, digits and apostrophes, lower-cased.
    public static func count(_ text: Data) -> [String: Int] {
        var counts: [String: Int] = [:]
        var word = [UInt8]()
        func flush() {
            if !word.isEmpty { counts[String(decoding: word, as: UTF8.self).lowercased(), default: 0] += 1 }
            word.removeAll(keepingCapacity: true)
        }
        for byte in text {
            let isWord = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x27 || byte >= 0x80
            if isWord { word.append(byte) } else { flush() }
        }
        flush()
        return counts
    }

    /// One job per input file, in key order.
    static func fileJobs(_ event: StepEvent, _ inputs: [String: Data], kind: String) -> [WorkerFrame] {
        event.keys.enumerated().map { WorkerFrame(id: $0.offset, kind: kind, payload: inputs[$0.element] ?? Data()) }
    }

    public static func merge(_ parts: [[String: Int]]) -> [String: Int] {
        var total: [String: Int] = [:]
        for part in parts { for (word, n) in part { total[word, default: 0] += n } }
        return total
    }

    public static func encode(_ counts: [String: Int]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(counts)
    }

    public static func decode(_ data: Data) throws -> [String: Int] {
        guard let counts = try? JSONDecoder().decode([String: Int].self, from: data) else {
            throw StepInputError(.malformedInput, "wordcount: a counts file is not a JSON object of word → count")
        }
        return counts
    }

    /// The workload of the second paper: `files` text files of `wordsPerFile` words each (100 × 638 by
    /// default), drawn from a fixed vocabulary with a Zipf-like skew, deterministic for a seed.
    public static func corpus(files: Int = 100, wordsPerFile: Int = 638, seed: UInt64 = 1) -> [(name: String, text: String)] {
        let vocabulary = """
            the of and to in a is that for it as was with be by on not he this are or his from at which but have \
            an they you were her she there been one all we their has would when if so no will more can out up \
            about into them some could time these two may then do first any my now such like our over man me even \
            most made after also did many before must through back years where much your way well down should \
            because each just those people how too little state good very make world still own see men work long \
            get here between both life being under never day same another know while last might us great old year \
            off come since against go came right used take three function memory workflow step deadline cost
            """.split(separator: " ").map(String.init)
        var random = SeededRandom(seed: seed)
        return (0..<files).map { f in
            var words: [String] = []
            for w in 0..<wordsPerFile {
                // Squaring a uniform number skews the draw toward the front of the list, as word use is skewed.
                let u = random.unit()
                words.append(vocabulary[min(vocabulary.count - 1, Int(u * u * Double(vocabulary.count)))])
                if w % 12 == 11 { words[words.count - 1] += "." }
            }
            return ("text-\(TextFormat.zeroPadded(f, width: 3)).txt", words.joined(separator: " ") + "\n")
        }
    }
}
