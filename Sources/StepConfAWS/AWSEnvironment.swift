import FoundationEssentials
import Glibc

/// The environment variables and files the AWS tools read, captured once (STYLE: the environment is read
/// in one place). Tests build one from a dictionary.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    /// The home directory (`~/.aws/...`).
    public var home: String

    public init(variables: [String: String] = ProcessInfo.processInfo.environment, home: String? = nil) {
        self.variables = variables
        self.home = home ?? variables["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
    }

    public subscript(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `AWS_PROFILE`, else `default`.
    public var profile: String { self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default" }

    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    public var credentialsFile: String { expand(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials") }

    /// `AWS_CONFIG_FILE`, else `~/.aws/config`.
    public var configFile: String { expand(self["AWS_CONFIG_FILE"] ?? "~/.aws/config") }

    func expand(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }
}
