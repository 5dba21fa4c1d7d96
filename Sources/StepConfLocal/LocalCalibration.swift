import Foundation
import StepConfCore
import StepConfStorage

/// A platform and model fitted on this machine through the emulator (docs/lambda.md, local calibration), cached per
/// machine and bootstrap build so that `stepconf run` plans with what this machine can do, not with AWS.
///
/// The platform describes the machine: its cores, shared by every instance running at once (a core tier with
/// `shared`, so the model's usable cores are min(m/m_s, cores, cores/p)), memory sizes up to the credit of every
/// core, fan-outs up to twice the cores and up to two workers per instance. (Steps of parallel branches also
/// share the cores; the calibration profiles one step at a time and does not yet see that.)
public struct LocalCalibration: Sendable {
    /// What identifies the machine and the bootstrap a calibration was made with.
    public struct Key: Sendable, Hashable, Codable {
        public var cores: Int
        public var cpu: String
        public var memoryBytes: UInt64
        public var bootstrapBytes: UInt64
        public var bootstrapModified: Double
        public var workScale: Double

        enum CodingKeys: String, CodingKey {
            case cores, cpu
            case memoryBytes = "memory_bytes"
            case bootstrapBytes = "bootstrap_bytes"
            case bootstrapModified = "bootstrap_modified"
            case workScale = "work_scale"
        }

        /// This machine with `bootstrap` (its size and modification time stand for its build).
        /// - Throws: ``InputError`` when the bootstrap cannot be read.
        public static func current(bootstrap: String, workScale: Double) throws -> Key {
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try FileManager.default.attributesOfItem(atPath: bootstrap)
            } catch {
                throw InputError(.malformed, "\(bootstrap): cannot read the bootstrap (\(error.localizedDescription))")
            }
            let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let cpu = info.split(separator: "\n").first { $0.hasPrefix("model name") }
                .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
            return Key(
                cores: ProcessInfo.processInfo.activeProcessorCount, cpu: cpu,
                memoryBytes: ProcessInfo.processInfo.physicalMemory,
                bootstrapBytes: (attributes[.size] as? NSNumber)?.uint64Value ?? 0,
                bootstrapModified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0, workScale: workScale)
        }

        /// The calibration design (platform and profile plan); a change makes earlier calibrations stale.
        public static let design = 2

        /// A short stable name for the cache folder.
        public var digest: String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            let text = "design \(Self.design)|\(cores)|\(cpu)|\(memoryBytes)|\(bootstrapBytes)|\(bootstrapModified)|\(workScale)"
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return String(hash, radix: 16)
        }
    }

    /// What a calibration stored besides the platform and the model.
    public struct Record: Sendable, Codable {
        public var key: Key
        public var workflow: String
        public var samples: Int
        public var seconds: Double
        public var created: Double

        public init(key: Key, workflow: String, samples: Int, seconds: Double, created: Double) {
            self.key = key
            self.workflow = workflow
            self.samples = samples
            self.seconds = seconds
            self.created = created
        }

        enum CodingKeys: String, CodingKey {
            case key, workflow, samples, seconds, created
        }
    }

    /// StepConf's cache folder on this machine: `$STEPCONF_CACHE_DIR`, else `$XDG_CACHE_HOME/stepconf`, else
    /// `~/.cache/stepconf`.
    public static var cacheBase: String {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["STEPCONF_CACHE_DIR"], !given.isEmpty { return given }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.cache")
        return base + "/stepconf"
    }

    /// The calibration cache folder: ``cacheBase`` then `calibration/`.
    public static var cacheRoot: String { cacheBase + "/calibration" }

    /// The platform that describes this machine: its cores shared by every instance, memory sizes up to the
    /// credit of all of them, fan-outs up to twice the cores, one or two workers.
    public static func machinePlatform(cores: Int) -> Platform {
        var platform = Platform.aws
        let cores = max(1, cores)
        platform.coreTiers = [Platform.CoreTier(upToMemoryMB: platform.maxMemoryMB, cores: cores, shared: true)]
        let top = Int((Double(cores) * platform.singleCoreMemoryMB).rounded())
        // No 256 MB: a seventh of a core, it would take most of the calibration time and is never fast enough to choose.
        let memory = [512, 1024, Int(platform.singleCoreMemoryMB), Int(platform.singleCoreMemoryMB * 1.5), top]
        platform.grid = ConfigurationGrid(
            memoryMB: Array(Set(memory.filter { $0 <= max(top, 1024) })).sorted(),
            inter: Array(Set([1, 2, cores, 2 * cores])).sorted(), intra: [1, 2])
        return platform
    }

    public let key: Key
    public let folder: String

    public init(key: Key, root: String = LocalCalibration.cacheRoot) {
        self.key = key
        self.folder = root + "/" + key.digest
    }

    /// The stored platform and model of `workflow`, nil when there is none; a stored one made on another machine
    /// or bootstrap is not returned, and `note` says why.
    public func load(workflow: Workflow, note: (String) -> Void = { _ in }) -> (Platform, PerformanceModel)? {
        let recordPath = folder + "/\(workflow.name).record.json"
        guard let data = FileManager.default.contents(atPath: recordPath) else { return nil }
        guard let record = try? JSONDecoder().decode(Record.self, from: data), record.key == key else {
            note("ignoring the calibration in \(folder): it was made on another machine or bootstrap")
            return nil
        }
        do {
            let platform = try Platform.load(from: folder + "/platform.json")
            let model = try PerformanceModel.load(from: folder + "/\(workflow.name).model.json", for: workflow)
            return (platform, model)
        } catch {
            note("ignoring the calibration in \(folder): \(error)")
            return nil
        }
    }

    /// Stores a calibration: the platform and model first, the record last, each written whole (a calibration
    /// interrupted before its record is written is not found, and is made again).
    /// - Throws: ``InputError`` when the cache folder cannot be written.
    public func store(platform: Platform, model: PerformanceModel, record: Record) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(platform), to: folder + "/platform.json")
            try AtomicFile.write(try encoder.encode(model), to: folder + "/\(record.workflow).model.json")
            try AtomicFile.write(try encoder.encode(record), to: folder + "/\(record.workflow).record.json")
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(.malformed, "\(folder): cannot store the calibration (\(error.localizedDescription))")
        }
    }
}
