import Foundation
import StepConfFunctions
import StepConfLambda

// The single Lambda binary: every function of the stack runs it; `_HANDLER` picks what it does.
let environment = LambdaEnvironment()
guard let endpoint = environment.runtimeAPI else {
    LambdaRuntime.writeStandardError("bootstrap: AWS_LAMBDA_RUNTIME_API is not set; run me under Lambda or an emulator")
    exit(2)
}
do {
    let client = try HTTPRuntimeClient(endpoint: endpoint)
    exit(LambdaRuntime.run(client: client, environment: environment) { try HandlerRegistry.make(environment) })
} catch {
    LambdaRuntime.writeStandardError("bootstrap: \(error)")
    exit(1)
}
