/// Refuses a `q` whose workers cannot fit in the function's memory: `q` workers of `workerMemoryMB` each
/// must fit in `functionMemoryMB` (Lambda's `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`), or the instance would swap
/// or be killed mid-step. The same rule as `Workflow.Step.canRun`, so the configurator never picks a `q`
/// the guard refuses.
public enum MemoryGuard {
    /// - Throws: ``WorkerError`` (`.memory`) with the arithmetic when they do not fit.
    public static func check(q: Int, workerMemoryMB: Int, functionMemoryMB: Int) throws {
        let needed = q * workerMemoryMB
        guard needed <= functionMemoryMB else {
            let most = max(0, functionMemoryMB / max(1, workerMemoryMB))
            throw WorkerError(.memory, """
                intra=\(q) needs \(q) × \(workerMemoryMB) MB per worker = \(needed) MB, more than the function's \
                \(functionMemoryMB) MB; at most \(most) worker\(most == 1 ? "" : "s") fit
                """)
        }
    }
}
