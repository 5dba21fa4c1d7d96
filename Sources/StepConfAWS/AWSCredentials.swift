import FoundationEssentials
import Glibc

/// An access key pair, with the session token of temporary credentials. Its description never shows the
/// secret or the token, so credentials can be logged or put in an error by mistake without leaking.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// True when the credentials expire within `margin` seconds of `now`.
    public func expires(within margin: TimeInterval, of now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < margin
    }

    public var description: String {
        let key = accessKeyID.count > 4 ? String(accessKeyID.prefix(4)) + "…" : "…"
        return "AWSCredentials(\(key), secret: <redacted>\(sessionToken == nil ? "" : ", session token: <redacted>"))"
    }

    public var debugDescription: String { description }
}
