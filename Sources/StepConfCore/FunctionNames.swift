/// How the deployed functions are named, for the template, the state machine, the configurator, the local runner
/// and the profiler alike: one configurator `{prefix}-configurator` and one function per step kind and memory size,
/// `{prefix}-{kind}-m{memoryMB}` (``Workflow/Step/functionName(kind:memoryMB:)``).
public enum FunctionNames {
    /// The prefix when none is given (the template's `FunctionPrefix` default).
    public static let defaultPrefix = "stepconf"

    /// The configurator's suffix, after the prefix and a `-`.
    public static let configuratorSuffix = "configurator"

    /// The configurator's function name.
    public static func configurator(prefix: String) -> String { "\(prefix)-\(configuratorSuffix)" }

    /// The function that runs `kind` at `memoryMB`.
    public static func step(prefix: String, kind: String, memoryMB: Int) -> String {
        "\(prefix)-\(Workflow.Step.functionName(kind: kind, memoryMB: memoryMB))"
    }

    /// The state machine that runs `workflow`.
    public static func stateMachine(prefix: String, workflow: String) -> String { "\(prefix)-\(workflow)" }

    /// A `States.Format` template naming `kind`'s function from two arguments: the prefix and the memory size.
    public static func stepFormat(kind: String) -> String {
        "{}-\(Workflow.Step.functionKindName(kind))-m{}"
    }
}
