import Foundation
import StepConfFunctions
import StepConfLambda
import StepConfWorker

// The tests' Lambda bootstrap: the shipped runtime (``BootstrapMain``) with handlers and faults that have
// no place in a deployed function. `_HANDLER` = `echo`, `sleep`, `crash`, `context` or `environment` (TestHandlers.swift); any other
// name is served by the shipped registry. In worker mode, `FIXTURE_WORKER_CRASH_JOB=N` makes the worker
// die (exit 70) on job N — only while the file `FIXTURE_WORKER_CRASH_MARKER` does not exist, which the
// crash creates ("crash once"); without a marker, every time.

let variables = ProcessInfo.processInfo.environment
let crashJob = variables["FIXTURE_WORKER_CRASH_JOB"].flatMap(Int.init)
let marker = variables["FIXTURE_WORKER_CRASH_MARKER"]

BootstrapMain.run(
    kernel: { job in
        if let crashJob, job.id == crashJob {
            guard let marker else { _exit(70) }
            if !FileManager.default.fileExists(atPath: marker) {
                _ = FileManager.default.createFile(atPath: marker, contents: Data())
                _exit(70)
            }
        }
        return try StepFunctions.kernel(job)
    },
    makeHandler: { environment in
        switch environment.handler {
        case "echo": return EchoHandler()
        case "sleep": return CodableHandlerAdapter(SleepHandler())
        case "crash": return CrashHandler()
        case "context": return ContextHandler()
        case "environment": return CodableHandlerAdapter(EnvironmentHandler())
        default: return try HandlerRegistry.make(environment)
        }
    })
