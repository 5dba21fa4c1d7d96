/// Refuses a `q` whose workers cannot fit in the function's memory: the runtime itself (`runtimeMB`)
/// plus `q` workers of `workerMemoryMB` each must fit in `functionMemoryMB` (Lambda's
/// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`), or the instance would swap or be killed mid-step.
public enum MemoryGuard {
    /// What the runtime and the wrapper take before any worker, MB (the simulator's figure too).
    public static let runtimeMB = 48

    /// - Throws: ``ProcessPool/Failure`` with the arithmetic when they do not fit.
    public static func check(q: Int, workerMemoryMB: Int, functionMemoryMB: Int) throws {
        let needed = runtimeMB + q * workerMemoryMB
        guard needed <= functionMemoryMB else {
            let most = max(0, (functionMemoryMB - runtimeMB) / max(1, workerMemoryMB))
            throw ProcessPool.Failure(message: """
                intra=\(q) needs \(q) × \(workerMemoryMB) MB per worker + \(runtimeMB) MB runtime = \(needed) MB, \
                more than the function's \(functionMemoryMB) MB; at most \(most) worker\(most == 1 ? "" : "s") fit
                """)
        }
    }
}
