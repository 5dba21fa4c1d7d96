import FoundationEssentials
import Glibc
import StepConfHTTP
import Synchronization

/// Where credentials come from (a role): environment, shared files, the container endpoint, or a chain.
public protocol CredentialProvider: Sendable {
    /// Current credentials.
    /// - Throws: ``AWSError`` (`credentials`) saying what was tried; never a secret.
    func credentials() throws -> AWSCredentials
}

/// Fixed credentials (tests, tools that take keys on the command line).
public struct StaticCredentialProvider: CredentialProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() throws -> AWSCredentials { value }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` (what Lambda sets).
public struct EnvironmentCredentialProvider: CredentialProvider {
    public let environment: AWSEnvironment
    public init(_ environment: AWSEnvironment) { self.environment = environment }

    public func credentials() throws -> AWSCredentials {
        guard let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
            throw AWSError(.credentials, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set")
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
    }
}

/// Keys of a profile in the shared credentials file, then in the config file (`AWS_PROFILE`, `default`).
public struct ProfileCredentialProvider: CredentialProvider {
    public let environment: AWSEnvironment
    public let profile: String

    public init(_ environment: AWSEnvironment, profile: String? = nil) {
        self.environment = environment
        self.profile = profile ?? environment.profile
    }

    public func credentials() throws -> AWSCredentials {
        let files = [
            (environment.credentialsFile, try SharedConfigFile.load(path: environment.credentialsFile, isConfig: false)),
            (environment.configFile, try SharedConfigFile.load(path: environment.configFile, isConfig: true)),
        ]
        for (_, file) in files {
            guard let settings = file.profiles[profile] else { continue }
            if let key = settings["aws_access_key_id"], let secret = settings["aws_secret_access_key"] {
                return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: settings["aws_session_token"])
            }
            for unsupported in ["role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"]
            where settings[unsupported] != nil {
                throw AWSError(
                    .credentials,
                    "profile \(profile) uses \(unsupported), which StepConf does not resolve; export keys (e.g. `aws configure export-credentials --format env`)")
            }
        }
        throw AWSError(.credentials, "profile \(profile) has no keys in \(files[0].0) or \(files[1].0)")
    }
}

/// The container credentials endpoint (ECS, CodeBuild, Lambda's SnapStart, local emulators):
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `…_TOKEN_FILE`. Answers are cached until 5 minutes before they expire.
public final class ContainerCredentialProvider: CredentialProvider {
    public let environment: AWSEnvironment
    private let cached = Mutex<AWSCredentials?>(nil)

    public init(_ environment: AWSEnvironment) { self.environment = environment }

    /// The endpoint to ask, or nil when neither variable is set.
    public var endpoint: String? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] { return "http://169.254.170.2" + relative }
        return environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    }

    public func credentials() throws -> AWSCredentials {
        if let current = cached.withLock({ $0 }), !current.expires(within: 300) { return current }
        guard let endpoint else {
            throw AWSError(.credentials, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI are not set")
        }
        var headers: [(name: String, value: String)] = []
        if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("Authorization", token))
        } else if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let token = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw AWSError(.credentials, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path)")
            }
            headers.append(("Authorization", token.trimmed()))
        }
        let response: HTTPResponse
        do {
            response = try HTTPClient().send(HTTPRequest(url: endpoint, headers: headers, connectTimeout: .seconds(2), timeout: .seconds(5)))
        } catch {
            throw AWSError(.credentials, "container credentials endpoint \(endpoint) did not answer: \(error)")
        }
        guard response.status == 200 else {
            throw AWSError(.credentials, "container credentials endpoint \(endpoint) answered \(response.status)")
        }
        struct Document: Decodable {
            var AccessKeyId: String
            var SecretAccessKey: String
            var Token: String?
            var Expiration: String?
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: response.body) else {
            throw AWSError(.credentials, "container credentials endpoint \(endpoint) answered a document without keys")
        }
        let expiration = document.Expiration.flatMap { try? Date($0, strategy: .iso8601) }
        let credentials = AWSCredentials(
            accessKeyID: document.AccessKeyId, secretAccessKey: document.SecretAccessKey, sessionToken: document.Token,
            expiration: expiration)
        cached.withLock { $0 = credentials }
        return credentials
    }
}

/// The usual order: environment, shared files (profile), container endpoint. The first that yields wins;
/// if none does, the error lists why each failed.
public struct DefaultCredentialChain: CredentialProvider {
    public let providers: [any CredentialProvider]

    public init(_ environment: AWSEnvironment) {
        var providers: [any CredentialProvider] = [EnvironmentCredentialProvider(environment), ProfileCredentialProvider(environment)]
        let container = ContainerCredentialProvider(environment)
        if container.endpoint != nil { providers.append(container) }
        self.providers = providers
    }

    public func credentials() throws -> AWSCredentials {
        var reasons: [String] = []
        for provider in providers {
            do {
                return try provider.credentials()
            } catch {
                reasons.append(String(describing: error))
            }
        }
        throw AWSError(.credentials, "no AWS credentials found: " + reasons.joined(separator: "; "))
    }
}
