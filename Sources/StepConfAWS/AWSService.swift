/// The services StepConf calls, with what their endpoints and signatures need.
public enum AWSService: String, Sendable, CaseIterable {
    case s3
    case dynamodb
    case stepFunctions = "states"
    case lambda

    /// The SigV4 signing name.
    public var signingName: String { rawValue }

    /// The suffix of `AWS_ENDPOINT_URL_…` (the service id, upper-cased with `_`).
    public var environmentSuffix: String {
        switch self {
        case .s3: return "S3"
        case .dynamodb: return "DYNAMODB"
        case .stepFunctions: return "SFN"
        case .lambda: return "LAMBDA"
        }
    }

    /// The service key in a config file's `services` section and `endpoint_url` sub-settings.
    public var configKey: String {
        switch self {
        case .s3: return "s3"
        case .dynamodb: return "dynamodb"
        case .stepFunctions: return "sfn"
        case .lambda: return "lambda"
        }
    }

    /// The public endpoint in `region`.
    public func defaultEndpoint(region: String) -> String {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return "https://\(rawValue).\(region).\(suffix)"
    }
}
