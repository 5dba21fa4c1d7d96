import FoundationEssentials
import Glibc
import StepConfCore

/// One HTTP request for ``HTTPClient``.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, `PUT`, `DELETE`, `HEAD`, …
    public var method: String
    /// Absolute URL.
    public var url: String
    /// Header fields, in order.
    public var headers: [(name: String, value: String)]
    /// The body; empty for none.
    public var body: Data
    /// Limit on establishing the connection; nil: libcurl's default (300 s).
    public var connectTimeout: Duration?
    /// Limit on the whole exchange; nil: none (long polls such as the Runtime API's `/next`).
    public var timeout: Duration?

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: Data = Data(),
        connectTimeout: Duration? = .seconds(5), timeout: Duration? = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// A response from ``HTTPClient``.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// Header fields as received (of the final response, after any 100 Continue).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header of that name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// A request that got no HTTP response, with a message that says why.
public struct HTTPError: CodedError {
    public enum Code: Sendable, Hashable {
        case invalidURL, couldNotResolve, couldNotConnect, timedOut, transport
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
