import FoundationEssentials
import Glibc

/// How often requests arrive: it decides how often a request finds its functions still warm (docs/policies.md). Arrivals
/// are taken as Poisson, so the gap since the previous request is exponential.
public struct Traffic: Sendable, Hashable {
    /// Requests per hour when none is given: a mean gap of 300 s, half the default keep-alive, so that most requests
    /// find their functions warm and some find them expired.
    public static let defaultRequestsPerHour = 12.0

    /// λ, requests per hour (> 0).
    public let requestsPerHour: Double

    /// - Throws: ``InputError`` for a rate that is not a positive number of at most ``InputBounds/maxRequestsPerHour``.
    public init(requestsPerHour: Double = defaultRequestsPerHour) throws {
        guard requestsPerHour.isFinite, requestsPerHour > 0, requestsPerHour <= InputBounds.maxRequestsPerHour else {
            throw InputError(
                .invalidParameter,
                "the request rate must be a positive number of requests per hour of at most "
                    + "\(Int(InputBounds.maxRequestsPerHour)), got \(requestsPerHour)")
        }
        self.requestsPerHour = requestsPerHour
    }

    /// The default traffic.
    public static let `default` = try! Traffic()

    /// The mean gap between arrivals, seconds.
    public var meanGapSeconds: Double { 3600 / requestsPerHour }

    /// The chance that the previous request arrived within `keepAliveSeconds`, so that the functions it ran are still
    /// warm: 1 − e^(−K·λ).
    public func warmChance(keepAliveSeconds: Double) -> Double {
        guard keepAliveSeconds > 0 else { return 0 }
        return 1 - exp(-keepAliveSeconds / meanGapSeconds)
    }
}
