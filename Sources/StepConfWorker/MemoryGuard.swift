import StepConfCore

/// Refuses a `q` whose workers cannot fit in the function's memory (Lambda's `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`),
/// or the instance would swap or be killed mid-step. The rule is Core's ``WorkerMemory``, the one `canRun`
/// applies, so the configurator never picks a `q` the guard refuses.
public enum MemoryGuard {
    /// - Throws: ``WorkerError`` (`.memory`) with the arithmetic when they do not fit.
    public static func check(q: Int, workerMemoryMB: Int, functionMemoryMB: Int) throws {
        guard !WorkerMemory.fits(intra: q, workerMemoryMB: Double(workerMemoryMB), memoryMB: functionMemoryMB) else { return }
        let needed = WorkerMemory.neededMB(intra: q, workerMemoryMB: Double(workerMemoryMB))
        let room = max(0, Double(functionMemoryMB) - WorkerMemory.runtimeMB)
        let most = Int(room / Double(max(1, workerMemoryMB)))
        throw WorkerError(.memory, """
            intra=\(q) needs \(Int(WorkerMemory.runtimeMB)) MB for the runtime + \(q) × \(workerMemoryMB) MB per worker = \
            \(Int(needed)) MB, more than the function's \(functionMemoryMB) MB; at most \(most) worker\(most == 1 ? "" : "s") fit
            """)
    }
}
