import FoundationEssentials
import Glibc

/// A service endpoint split into what requests and signatures need.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// `https` or `http`.
    public var scheme: String
    /// Host name, with `:port` when not the scheme's default (the `Host` header's value).
    public var host: String
    /// A path prefix the endpoint carries ("" for none), without a trailing `/`.
    public var basePath: String

    /// Parses `url` (`https://host[:port][/path]`).
    /// - Throws: ``AWSError`` (`configuration`) naming the setting when it is not an http(s) URL.
    public init(_ url: String, setting: String = "endpoint") throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let hostName = parts.host, !hostName.isEmpty
        else { throw AWSError(.configuration, "\(setting) \(url) is not an http(s) URL") }
        self.scheme = scheme
        // An IPv6 literal comes with its brackets from some URL parsers and without from others: bracket it once.
        let bare = hostName.hasPrefix("[") && hostName.hasSuffix("]") ? String(hostName.dropFirst().dropLast()) : hostName
        let bracketed = bare.contains(":") ? "[\(bare)]" : bare
        if let port = parts.port, !(scheme == "http" && port == 80) && !(scheme == "https" && port == 443) {
            host = "\(bracketed):\(port)"
        } else {
            host = bracketed
        }
        var path = parts.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
    }

    public var description: String { "\(scheme)://\(host)\(basePath)" }

    /// The host name without the port.
    public var hostName: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        return host.split(separator: ":").first.map(String.init) ?? host
    }

    /// True for an IP address or `localhost`, where virtual-hosted S3 addressing cannot work.
    public var isLocalOrIP: Bool {
        let name = hostName
        return name == "localhost" || name.hasPrefix("[") || name.split(separator: ".").allSatisfy { Int($0) != nil }
    }
}
