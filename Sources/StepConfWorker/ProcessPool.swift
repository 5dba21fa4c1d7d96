#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FoundationEssentials
import StepConfCore
import StepConfStorage
import Synchronization

/// `q` worker processes (the same binary in worker mode, started with `posix_spawn`) fed through pipes:
/// each worker takes the next job from a shared queue when it returns a result, so fast and slow jobs
/// balance. A worker that dies is replaced and its job retried once on the fresh process; a second death
/// of the same job, or a kernel error, fails the run with a message that says which job and why.
///
/// `@unchecked Sendable` because ``run(_:)`` hands `self` to its worker threads: they only call `spawn()`
/// (under a lock, for `started`) and read immutable properties; `workers` changes only on the calling thread
/// after they have all finished.
public final class ProcessPool: @unchecked Sendable {
    private struct Worker {
        var pid: pid_t
        /// We write jobs here (the worker's stdin).
        var jobs: Int32
        /// We read results here (the worker's stdout).
        var results: Int32
    }

    public let executable: String
    public let arguments: [String]
    public let size: Int
    private let environment: [String]
    private var workers: [Worker] = []
    /// Processes started, replacements included (for tests and reports).
    public private(set) var started = 0

    /// Starts `size` workers of `executable` with `arguments` (default: worker mode).
    /// - Throws: ``WorkerError`` when a process cannot be started.
    public init(
        executable: String, arguments: [String] = [WorkerProcess.argument], size: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        // A dead worker's pipe must give EPIPE on write, not kill the runtime with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        self.executable = executable
        self.arguments = arguments
        self.size = max(1, size)
        self.environment = environment.map { "\($0.key)=\($0.value)" }
        for _ in 0..<self.size { workers.append(try spawn()) }
    }

    deinit { shutdown() }

    /// The path of the running binary (`/proc/self/exe`), to start workers of the same code.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    private func spawn() throws -> Worker {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard Self.cloexecPipe(&toChild) else { throw WorkerError(.spawn, "cannot create a pipe: \(String(cString: strerror(errno)))") }
        guard Self.cloexecPipe(&fromChild) else {
            Glibc.close(toChild[0])
            Glibc.close(toChild[1])
            throw WorkerError(.spawn, "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], STDOUT_FILENO)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Workers start with no blocked signals and SIGPIPE/SIGTERM at their defaults, whatever we inherited.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        Glibc.close(toChild[0])
        Glibc.close(fromChild[1])
        guard status == 0 else {
            Glibc.close(toChild[1])
            Glibc.close(fromChild[0])
            throw WorkerError(.spawn, "cannot start worker \(executable): \(String(cString: strerror(status)))")
        }
        started += 1
        return Worker(pid: pid, jobs: toChild[1], results: fromChild[0])
    }

    /// A pipe whose ends close on exec, so no other child holds them open (only the dup2'd copies
    /// a worker gets as stdin and stdout survive its exec).
    private static func cloexecPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// How a reaped process ended, in words.
    private static func reap(_ pid: pid_t) -> String {
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid else { return "ended" }
        let signal = status & 0x7F
        return signal == 0 ? "exited with status \((status >> 8) & 0xFF)" : "was killed by signal \(signal)"
    }

    private func close(_ worker: Worker) {
        Glibc.close(worker.jobs)
        Glibc.close(worker.results)
    }

    /// Runs `jobs` on the workers; returns each job's output in the order of `jobs`.
    /// - Parameter deadline: when the jobs are not done by then, the workers are killed and the run fails with
    ///   ``WorkerError/Code/timeLimit`` (the function answers an error instead of being stopped by Lambda's timeout).
    /// - Throws: ``WorkerError`` naming the job: a kernel error, or a worker that died twice on it; or the time limit.
    /// What a run's threads share: the queue of jobs and the first failure.
    private struct Shared {
        var next = 0
        var retry: [Int] = []
        var attempts: [Int: Int] = [:]
        var failure: WorkerError?
        var done = 0
    }

    /// A run's shared state and its workers by slot, for the threads and the watchdog.
    private final class RunState: Sendable {
        let shared = Mutex(Shared())
        let slots: Mutex<[Worker]>

        init(workers: [Worker]) { slots = Mutex(workers) }
    }

    /// The watchdog of a run with a deadline: past it, it records the time limit and kills the workers (their threads
    /// then see a broken pipe and stop instead of replacing them). Returns what stops it when the run ends first.
    private func watch(_ deadline: ContinuousClock.Instant, jobs: Int, state: RunState) -> () -> Void {
        let finished = DispatchSemaphore(value: 0)
        let watchdog = DispatchGroup()
        let began = ContinuousClock.now
        watchdog.enter()
        let started = OSThread.start(stackSize: 1 << 18) {
            defer { watchdog.leave() }
            let wait = max(0, (deadline - ContinuousClock.now).seconds)
            guard finished.wait(timeout: .now() + wait) == .timedOut else { return }
            state.shared.withLock { s in
                guard s.failure == nil else { return }
                s.failure = WorkerError(
                    .timeLimit,
                    "\(s.done) of \(jobs) jobs done in \(Self.seconds((ContinuousClock.now - began).seconds)) s: the rest would "
                        + "outrun the invocation's time limit; plan more instances, more memory or a longer timeout")
            }
            for worker in state.slots.withLock({ $0 }) where worker.pid > 0 { kill(worker.pid, SIGKILL) }
        }
        // Without a thread of its own the run has no watchdog: Lambda's timeout then stops it, as before there was one.
        if !started { watchdog.leave() }
        return {
            finished.signal()
            watchdog.wait()
        }
    }

    public func run(_ jobs: [WorkerFrame], deadline: ContinuousClock.Instant? = nil) throws -> [Data] {
        guard !jobs.isEmpty else { return [] }
        let state = RunState(workers: workers)
        let results = Mutex([Data?](repeating: nil, count: jobs.count))
        let stopWatching = deadline.map { watch($0, jobs: jobs.count, state: state) }
        defer { stopWatching?() }
        let spawnLock = Mutex(())
        let group = DispatchGroup()
        for slot in 0..<workers.count {
            group.enter()
            let started = OSThread.start(stackSize: 1 << 20) { [self] in
                defer { group.leave() }
                var worker = state.slots.withLock { $0[slot] }
                while true {
                    let position = state.shared.withLock { s -> Int? in
                        guard s.failure == nil else { return nil }
                        if let again = s.retry.popLast() { return again }
                        guard s.next < jobs.count else { return nil }
                        defer { s.next += 1 }
                        return s.next
                    }
                    guard let position else { break }
                    let job = jobs[position]
                    do {
                        try job.write(to: worker.jobs)
                        guard let result = try WorkerFrame.read(from: worker.results), result.id == job.id else {
                            throw WorkerError(.pipeClosed, "worker for job \(job.id) answered another job")
                        }
                        if let error = result.error {
                            state.shared.withLock { if $0.failure == nil { $0.failure = WorkerError(.jobFailed, "job \(job.id) (\(job.kind)) failed: \(error)") } }
                            break
                        }
                        results.withLock { $0[position] = result.payload }
                        state.shared.withLock { $0.done += 1 }
                    } catch {
                        // The worker died (or its pipe broke): replace it, retry the job once — unless the watchdog
                        // stopped the run.
                        close(worker)
                        let how = Self.reap(worker.pid)
                        if state.shared.withLock({ $0.failure?.code == .timeLimit }) {
                            worker = Worker(pid: -1, jobs: -1, results: -1)
                            break
                        }
                        let retry = state.shared.withLock { s -> Bool in
                            s.attempts[position, default: 0] += 1
                            if s.attempts[position]! >= 2 {
                                if s.failure == nil {
                                    s.failure = WorkerError(
                                        .workerDied,
                                        "job \(job.id) (\(job.kind)): the worker process \(how), twice (the job was retried once on a fresh process)")
                                }
                                return false
                            }
                            s.retry.append(position)
                            return true
                        }
                        do {
                            worker = try spawnLock.withLock { _ in try spawn() }
                            state.slots.withLock { $0[slot] = worker }
                        } catch {
                            state.shared.withLock { if $0.failure == nil { $0.failure = WorkerError(
                                        .workerDied, "job \(job.id): worker process \(how) and no replacement could start: \(error)") } }
                            worker = Worker(pid: -1, jobs: -1, results: -1)
                            break
                        }
                        if !retry { break }
                    }
                }
                state.slots.withLock { $0[slot] = worker }
            }
            if !started {
                state.shared.withLock { if $0.failure == nil { $0.failure = WorkerError(.spawn, "cannot start a thread for worker \(slot)") } }
                group.leave()
            }
        }
        group.wait()
        workers = state.slots.withLock { $0 }.filter { $0.pid > 0 }
        if let failure = state.shared.withLock({ $0.failure }) { throw failure }
        return results.withLock { $0 }.map { $0! }
    }

    static func seconds(_ value: Double) -> String { TextFormat.fixed(value, 2) }

    /// Closes the workers' stdin (they exit at end of stream) and reaps them; kills any still running
    /// after a second.
    public func shutdown() {
        let current = workers
        workers = []
        for worker in current { Glibc.close(worker.jobs) }
        let deadline = Date().addingTimeInterval(1)
        for worker in current {
            var status: Int32 = 0
            while waitpid(worker.pid, &status, WNOHANG) == 0 {
                if Date() > deadline {
                    kill(worker.pid, SIGKILL)
                    waitpid(worker.pid, &status, 0)
                    break
                }
                usleep(1000)
            }
            Glibc.close(worker.results)
        }
    }
}
