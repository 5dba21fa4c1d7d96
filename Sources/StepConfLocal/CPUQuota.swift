import Foundation
import Logging
import Synchronization

/// Limits each instance to m/1769 of a core through a cgroup (v2 `cpu.max`, or v1 `cpu.cfs_quota_us`),
/// as Lambda allots CPU by memory. Where the machine does not allow it, warns once and runs unthrottled.
final class CPUQuota: Sendable {
    private let root: String?
    private let version: Int
    private let warned = Mutex(false)
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
        let fm = FileManager.default
        if fm.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") {
            version = 2
            root = "/sys/fs/cgroup/stepconf-emulator"
        } else if fm.fileExists(atPath: "/sys/fs/cgroup/cpu/cpu.cfs_quota_us") {
            version = 1
            root = "/sys/fs/cgroup/cpu/stepconf-emulator"
        } else {
            version = 0
            root = nil
        }
    }

    /// Puts process `pid` in its own cgroup with quota m/1769 of a core (period 100 ms).
    func apply(instanceID: String, pid: Int32, memoryMB: Int) {
        guard let root else { return warn("no cgroup filesystem") }
        let quota = max(1000, Int(Double(memoryMB) / 1769 * 100_000))
        let dir = root + "/" + instanceID
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if version == 2 {
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

    /// Removes an instance's cgroup once its process is gone.
    func release(_ instanceID: String) {
        guard let root else { return }
        try? FileManager.default.removeItem(atPath: root + "/" + instanceID)
    }

    private func warn(_ why: String) {
        let first = warned.withLock { done in
            defer { done = true }
            return !done
        }
        if first { logger.warning("CPU quotas per memory size are off: \(why); instances run unthrottled") }
    }
}
