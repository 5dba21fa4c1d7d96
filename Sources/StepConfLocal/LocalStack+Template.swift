import Foundation

extension LocalStack {
    /// What the stack helper reads on standard input.
    struct StackRequest: Codable {
        var endpoint: String
        var region: String
        var stack: String
        /// The SAM template; `DefinitionUri`s resolve against its folder, as `sam package` resolves them.
        var template: String
        /// The folder every function's `CodeUri` stands for: what `deploy/Makefile` copies into each artifact.
        var bundle: String
        /// Where the packaged artifacts and the translated template go.
        var artifactsBucket: String
        /// Template parameters (only those the template declares are passed).
        var parameters: [String: String]

        enum CodingKeys: String, CodingKey {
            case endpoint, region, stack, template, bundle, parameters
            case artifactsBucket = "artifacts_bucket"
        }
    }

    /// What the helper prints on success: the stack's outputs, its functions as Lambda (moto) holds them, its
    /// state machines (name → ARN), and what moto could not create that was applied otherwise.
    struct StackResult: Codable {
        struct Function: Codable {
            var name: String
            var handler: String
            var memoryMB: Int
            var timeoutSeconds: Double
            var environment: [String: String]

            enum CodingKeys: String, CodingKey {
                case name, handler, environment
                case memoryMB = "memory_mb"
                case timeoutSeconds = "timeout_s"
            }
        }

        var outputs: [String: String]
        var functions: [Function]
        var stateMachines: [String: String]
        var covered: [String]
        var resources: Int

        enum CodingKeys: String, CodingKey {
            case outputs, functions, covered, resources
            case stateMachines = "state_machines"
        }
    }
}
