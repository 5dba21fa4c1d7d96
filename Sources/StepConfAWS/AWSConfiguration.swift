import FoundationEssentials
import Glibc
import StepConfCore

/// How S3 requests name the bucket.
public enum S3AddressingStyle: String, Sendable {
    /// Virtual-hosted (`bucket.s3.region.amazonaws.com`) for AWS endpoints, path style elsewhere.
    case auto
    /// `endpoint/bucket/key`.
    case path
    /// `bucket.endpoint/key`.
    case virtual
}

/// Everything the clients need: region, credentials, endpoints, addressing, retries, timeouts.
public struct AWSConfiguration: Sendable {
    public var region: String
    public var credentials: any CredentialProvider
    /// Endpoint per service (overrides and defaults already resolved).
    public var endpoints: [AWSService: AWSEndpoint]
    public var s3Addressing: S3AddressingStyle
    public var retry: RetryPolicy
    /// Limit on one HTTP exchange.
    public var requestTimeout: Duration
    /// Limit on connecting.
    public var connectTimeout: Duration

    public init(
        region: String, credentials: any CredentialProvider, endpoints: [AWSService: AWSEndpoint] = [:],
        s3Addressing: S3AddressingStyle = .auto, retry: RetryPolicy = RetryPolicy(),
        requestTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(5)
    ) throws {
        self.region = region
        self.credentials = credentials
        var all = endpoints
        for service in AWSService.allCases where all[service] == nil {
            all[service] = try AWSEndpoint(service.defaultEndpoint(region: region))
        }
        self.endpoints = all
        self.s3Addressing = s3Addressing
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }

    /// The endpoint of `service`.
    public func endpoint(_ service: AWSService) -> AWSEndpoint { endpoints[service]! }

    /// Resolves settings as the AWS CLI does: region from `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
    /// profile's `region`; endpoints from `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, then the profile's
    /// `endpoint_url` (all ignored with `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`); S3 addressing from
    /// ``FunctionEnvironment/s3Addressing`` or the profile's `s3.addressing_style`; credentials from the default chain.
    /// - Throws: ``AWSError`` (`configuration`) when no region is set or a URL is malformed.
    public static func resolve(
        _ environment: AWSEnvironment = AWSEnvironment(), credentials: (any CredentialProvider)? = nil
    ) throws -> AWSConfiguration {
        let config = try SharedConfigFile.load(path: environment.configFile, isConfig: true)
        let profile = config.profiles[environment.profile] ?? [:]
        guard let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? profile["region"] else {
            throw AWSError(
                .configuration,
                "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or `region` in profile \(environment.profile) of \(environment.configFile)")
        }
        var endpoints: [AWSService: AWSEndpoint] = [:]
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            for service in AWSService.allCases {
                let name = "AWS_ENDPOINT_URL_\(service.environmentSuffix)"
                if let url = environment[name] {
                    endpoints[service] = try AWSEndpoint(url, setting: name)
                } else if let url = environment["AWS_ENDPOINT_URL"] {
                    endpoints[service] = try AWSEndpoint(url, setting: "AWS_ENDPOINT_URL")
                } else if let url = profile["\(service.configKey).endpoint_url"] ?? profile["endpoint_url"] {
                    endpoints[service] = try AWSEndpoint(url, setting: "endpoint_url in \(environment.configFile)")
                }
            }
        }
        let addressingText = environment[FunctionEnvironment.Variable.s3Addressing.name] ?? profile["s3.addressing_style"] ?? "auto"
        guard let addressing = S3AddressingStyle(rawValue: addressingText) else {
            throw AWSError(.configuration, "S3 addressing style \(addressingText): expected auto, path or virtual")
        }
        var retry = RetryPolicy()
        if let text = environment["AWS_MAX_ATTEMPTS"] ?? profile["max_attempts"] {
            guard let attempts = Int(text), attempts >= 1 else {
                throw AWSError(.configuration, "AWS_MAX_ATTEMPTS \(text): expected a whole number ≥ 1")
            }
            retry.maxAttempts = attempts
        }
        return try AWSConfiguration(
            region: region, credentials: credentials ?? DefaultCredentialChain(environment), endpoints: endpoints,
            s3Addressing: addressing, retry: retry)
    }
}
