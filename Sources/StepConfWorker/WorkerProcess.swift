#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// The worker side: the same `bootstrap` binary started with ``argument``, reading jobs on stdin and
/// writing results on stdout until stdin closes. A kernel that throws sends back an error result and the
/// worker goes on; a kernel that crashes ends the process, which the pool sees as end of stream.
public enum WorkerProcess {
    /// The command-line argument that puts `bootstrap` in worker mode.
    public static let argument = "--stepconf-worker"

    /// Serves jobs until stdin closes. `kernel` maps a job to its output bytes.
    /// - Returns: the exit code (0 at a clean end of stream, 1 on a broken pipe).
    public static func serve(
        input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, kernel: (WorkerFrame) throws -> Data
    ) -> Int32 {
        while true {
            let job: WorkerFrame
            do {
                guard let next = try WorkerFrame.read(from: input) else { return 0 }
                job = next
            } catch {
                return 1
            }
            let result: WorkerFrame
            do {
                result = WorkerFrame(id: job.id, payload: try kernel(job))
            } catch {
                result = WorkerFrame(id: job.id, error: String(describing: error))
            }
            do {
                try result.write(to: output)
            } catch {
                return 1
            }
        }
    }
}
