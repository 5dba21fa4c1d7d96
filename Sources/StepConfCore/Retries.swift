/// The errors a step's invocation is retried on, by the state machine's Retry fields and the local runner alike
/// (docs/lambda.md). Any other error is the function's answer: retrying it would fail the same way.
public enum Retries {
    /// One retrier: the error names it matches, how often it retries and its first wait.
    public struct Rule: Sendable {
        public var errors: [String]
        public var maxAttempts: Int
        public var intervalSeconds: Int
        public var backoffRate: Double
    }

    /// Lambda's transient service errors and throttling: retried 3 times after 1, 2, 4 s (with full jitter).
    public static let lambdaTransient = Rule(
        errors: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
        maxAttempts: 3, intervalSeconds: 1, backoffRate: 2)

    /// A step instance that died mid-run — its runtime exited (killed, out of memory: `Runtime.ExitError`, which Lambda
    /// may report as `Lambda.Unknown`): re-run twice. An instance writes only under its own keys, so a re-run replaces
    /// what the lost one wrote. (`Lambda.Unknown` also covers a function timeout: a step planned past its time limit is
    /// re-run too before the execution fails.)
    public static let instanceLost = Rule(
        errors: ["Runtime.ExitError", "Lambda.Unknown"], maxAttempts: 2, intervalSeconds: 1, backoffRate: 2)
}
