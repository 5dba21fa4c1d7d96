import StepConfFunctions

// The single Lambda binary: every function of the stack runs it; `_HANDLER` picks what it does.
BootstrapMain.run(kernel: StepFunctions.kernel, makeHandler: HandlerRegistry.make)
