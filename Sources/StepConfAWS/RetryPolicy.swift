import FoundationEssentials
import Glibc

/// When and how long to retry: exponential backoff with full jitter (a random wait between 0 and
/// `min(maxBackoff, base · 2^attempt)`), on transport failures, 5xx, 429 and AWS's throttling codes.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The first backoff ceiling, seconds.
    public var baseSeconds: Double
    /// The largest backoff, seconds.
    public var maxBackoffSeconds: Double

    public init(maxAttempts: Int = 5, baseSeconds: Double = 0.1, maxBackoffSeconds: Double = 5) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseSeconds = baseSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
    }

    /// Error codes that mean "try again later".
    public static let retryableCodes: Set<String> = [
        "SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
        "ProvisionedThroughputExceededException", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "RequestTimeout", "RequestTimeoutException", "InternalError",
        "InternalFailure", "InternalServerError", "ServiceUnavailable", "TransactionInProgressException",
    ]

    /// Whether a response with `status` and AWS error `code` is worth another attempt.
    public func isRetryable(status: Int, code: String?) -> Bool {
        if let code, Self.retryableCodes.contains(code) { return true }
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    public func backoff(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Double {
        let ceiling = min(maxBackoffSeconds, baseSeconds * pow(2, Double(attempt - 1)))
        return ceiling * random
    }
}
