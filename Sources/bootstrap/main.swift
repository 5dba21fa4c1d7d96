import Foundation
import StepConfFunctions
import StepConfLambda
import StepConfWorker

// The single Lambda binary: every function of the stack runs it; `_HANDLER` picks what it does.

// A parent that ignores or blocks SIGTERM (a process using swift-service-lifecycle or Dispatch signal
// sources does) passes that on through exec; Lambda and the emulator stop a runtime with SIGTERM, so take
// the default back.
signal(SIGTERM, SIG_DFL)
var unblock = sigset_t()
sigemptyset(&unblock)
sigaddset(&unblock, SIGTERM)
sigprocmask(SIG_UNBLOCK, &unblock, nil)
// Worker mode: a process of the intra-function pool, started by the wrapper in this same binary.
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == WorkerProcess.argument {
    exit(WorkerProcess.serve { try StepFunctions.kernel($0) })
}

let environment = LambdaEnvironment()
guard let endpoint = environment.runtimeAPI else {
    LambdaRuntime.writeStandardError("bootstrap: AWS_LAMBDA_RUNTIME_API is not set; run me under Lambda or an emulator")
    exit(2)
}
do {
    let client = try HTTPRuntimeClient(endpoint: endpoint, transport: try .fromEnvironment())
    exit(LambdaRuntime.run(client: client, environment: environment) { try HandlerRegistry.make(environment) })
} catch {
    LambdaRuntime.writeStandardError("bootstrap: \(error)")
    exit(1)
}
