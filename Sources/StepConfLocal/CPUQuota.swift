import Foundation
import Logging
import Synchronization

/// Limits each instance to m/1769 of a core through a cgroup (v2 `cpu.max`, or v1 `cpu.cfs_quota_us`),
/// as Lambda allots CPU by memory. Where the machine does not allow it, warns once and runs unthrottled.
///
/// Every emulator process has a cgroup of its own, `stepconf-emulator/e{pid}-{random}`, and every instance
/// one inside it, so two emulators never share a quota. An instance's cgroup is removed when its process
/// ends, the emulator's when it closes; on start, those of emulators that no longer run are removed.
final class CPUQuota: Sendable {
    /// `…/stepconf-emulator`, where every emulator's cgroup lives.
    private let base: String?
    /// This emulator's cgroup.
    private let root: String?
    private let version: Int
    private let warned = Mutex(false)
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
        let fm = FileManager.default
        let base: String?
        if fm.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") {
            version = 2
            base = "/sys/fs/cgroup/stepconf-emulator"
        } else if fm.fileExists(atPath: "/sys/fs/cgroup/cpu/cpu.cfs_quota_us") {
            version = 1
            base = "/sys/fs/cgroup/cpu/stepconf-emulator"
        } else {
            version = 0
            base = nil
        }
        self.base = base
        self.root = base.map { "\($0)/e\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))" }
        if let base { Self.removeStale(in: base) }
    }

    /// Puts process `pid` in its own cgroup with quota m/1769 of a core (period 100 ms).
    func apply(instanceID: String, pid: Int32, memoryMB: Int) {
        guard let base, let root else { return warn("no cgroup filesystem") }
        let quota = max(1000, Int(Double(memoryMB) / 1769 * 100_000))
        let dir = root + "/" + instanceID
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if version == 2 {
                // The cpu controller must be enabled at every level above the instance's cgroup.
                try? "+cpu".write(toFile: base + "/cgroup.subtree_control", atomically: false, encoding: .utf8)
                try? "+cpu".write(toFile: root + "/cgroup.subtree_control", atomically: false, encoding: .utf8)
                try "\(quota) 100000".write(toFile: dir + "/cpu.max", atomically: false, encoding: .utf8)
            } else {
                try "100000".write(toFile: dir + "/cpu.cfs_period_us", atomically: false, encoding: .utf8)
                try "\(quota)".write(toFile: dir + "/cpu.cfs_quota_us", atomically: false, encoding: .utf8)
            }
            try "\(pid)".write(toFile: dir + "/cgroup.procs", atomically: false, encoding: .utf8)
        } catch {
            warn("cannot write \(dir) (\(error.localizedDescription))")
        }
    }

    /// Removes an instance's cgroup once its process is gone (a cgroup is a directory `rmdir` removes when
    /// no process is left in it; worker processes still exiting keep it until ``close()``).
    func release(_ instanceID: String) {
        guard let root else { return }
        rmdir(root + "/" + instanceID)
    }

    /// Removes this emulator's cgroups (at shutdown, once the instances have exited).
    func close() {
        guard let root else { return }
        Self.removeTree(root)
    }

    /// This emulator's cgroup (for tests and diagnostics).
    var directory: String? { root }

    /// Removes the cgroups of emulators that no longer run — `e{pid}-…` whose process is gone, and the
    /// per-instance `i{N}` ones older emulators left directly in `base` — where no process is left in them.
    static func removeStale(in base: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        for entry in entries {
            if entry.hasPrefix("e"), let pid = Int32(entry.dropFirst().prefix { $0.isNumber }) {
                guard kill(pid, 0) != 0, errno == ESRCH else { continue }  // that emulator still runs
                removeTree(base + "/" + entry)
            } else if entry.hasPrefix("i"), Int(entry.dropFirst()) != nil {
                removeTree(base + "/" + entry)
            }
        }
    }

    /// `rmdir` on every empty cgroup under `path`, deepest first, then on `path`.
    private static func removeTree(_ path: String) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        for child in (try? fm.contentsOfDirectory(atPath: path)) ?? [] {
            let full = path + "/" + child
            if fm.fileExists(atPath: full, isDirectory: &isDirectory), isDirectory.boolValue { removeTree(full) }
        }
        rmdir(path)
    }

    private func warn(_ why: String) {
        let first = warned.withLock { done in
            defer { done = true }
            return !done
        }
        if first { logger.warning("CPU quotas per memory size are off: \(why); instances run unthrottled") }
    }
}
