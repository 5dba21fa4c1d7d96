import Crypto
import FoundationEssentials
import Glibc

extension SigV4Signer {
    /// A presigned URL: the signature travels in the query string (`X-Amz-Algorithm`, `X-Amz-Credential`,
    /// `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Security-Token`, `X-Amz-Signature`),
    /// valid for `expiresSeconds` (1 s to 7 days). Only `host` is signed; the payload is unsigned.
    /// - Parameters:
    ///   - scheme: `https` or `http`.
    ///   - host: the `Host` header value, port included when not the default.
    ///   - path: the encoded path; `query`: extra encoded query parameters.
    public func presignedURL(
        method: String, scheme: String, host: String, path: String, query: String = "",
        credentials: AWSCredentials, expiresSeconds: Int, date: Date = Date()
    ) -> String {
        let stamp = Self.timestamps(date)
        let scope = "\(stamp.short)/\(region)/\(service)/aws4_request"
        var parameters = [
            "X-Amz-Algorithm=\(Self.algorithm)",
            "X-Amz-Credential=\(URIEncoding.encode("\(credentials.accessKeyID)/\(scope)"))",
            "X-Amz-Date=\(stamp.long)",
            "X-Amz-Expires=\(min(max(expiresSeconds, 1), 604_800))",
            "X-Amz-SignedHeaders=host",
        ]
        if let token = credentials.sessionToken { parameters.append("X-Amz-Security-Token=\(URIEncoding.encode(token))") }
        let fullQuery = ([query].filter { !$0.isEmpty } + parameters).joined(separator: "&")
        let request = Request(
            method: method, path: path, query: fullQuery, headers: [("Host", host)], payloadHash: "UNSIGNED-PAYLOAD")
        let (canonical, _) = canonicalRequest(request)
        let signature = sign(canonical: canonical, scope: scope, longDate: stamp.long, credentials: credentials)
        return "\(scheme)://\(host)\(path)?\(fullQuery)&X-Amz-Signature=\(signature)"
    }
}
