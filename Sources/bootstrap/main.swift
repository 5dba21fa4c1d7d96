import FoundationEssentials
import Glibc
import StepConfCore
import StepConfFunctions

// `bootstrap --version`: what `stepconf check-bundle` compares with the CLI (Lambda never passes arguments).
if CommandLine.arguments.dropFirst().first == "--version" {
    print("bootstrap " + BuildVersion.describe(commit: nil))
    exit(0)
}

// The single Lambda binary: every function of the stack runs it; `_HANDLER` picks what it does.
BootstrapMain.run(kernel: StepFunctions.kernel, makeHandler: HandlerRegistry.make)
