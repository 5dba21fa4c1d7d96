import Foundation
import StepConfAWS
import StepConfCore
import StepConfLambda
import StepConfSQLite
import StepConfWorker

/// The handlers `bootstrap` can run, chosen by `_HANDLER`.
public enum HandlerRegistry {
    /// The names `_HANDLER` may take.
    public static let names = ["configurator", "echo", "sleep", "crash"] + StepFunctions.all.keys.sorted()

    /// Makes the handler `_HANDLER` names.
    /// - Throws: ``InputError`` for an unknown name or a configurator that cannot start (reported on
    ///   `/init/error`).
    public static func make(_ environment: LambdaEnvironment) throws -> any ByteHandler {
        switch environment.handler {
        case "echo": return EchoHandler()
        case "sleep": return CodableHandlerAdapter(SleepHandler())
        case "crash": return CrashHandler()
        case "configurator":
            return CodableHandlerAdapter(try ConfiguratorHandler(
                settings: try .init(environment: environment), cache: try globalCache(environment)))
        case let kind where StepFunctions.all[kind] != nil:
            let variables = environment.variables
            let wrapper = StepWrapper(
                function: try StepFunctions.configured(kind, variables: variables), store: try StepFunctions.store(variables),
                workerExecutable: variables["STEPCONF_WORKER_EXECUTABLE"] ?? ProcessPool.currentExecutable,
                functionMemoryMB: environment.memoryMB)
            return CodableHandlerAdapter(StepHandler(wrapper: wrapper))
        default:
            throw InputError(
                .unknownPolicy,
                "unknown handler `\(environment.handler)` (_HANDLER); known: \(names.joined(separator: ", "))")
        }
    }

    /// The configurators' shared cache: the DynamoDB table `STEPCONF_CACHE_TABLE` when set (on AWS; region,
    /// credentials and endpoint from the usual AWS settings), else the SQLite file `STEPCONF_CACHE_PATH`
    /// (default `/tmp/stepconf-cache.sqlite`).
    /// - Throws: ``InputError`` when the AWS settings are incomplete, or the SQLite file cannot be opened.
    static func globalCache(_ environment: LambdaEnvironment) throws -> any GlobalCache {
        if let table = environment.variables["STEPCONF_CACHE_TABLE"], !table.isEmpty {
            do {
                let configuration = try AWSConfiguration.resolve(AWSEnvironment(variables: environment.variables))
                return DynamoDBGlobalCache(dynamo: DynamoDBClient(configuration: configuration), table: table)
            } catch let error as AWSError {
                throw InputError(.unreadable, "STEPCONF_CACHE_TABLE=\(table): \(error.message)")
            }
        }
        return try SQLiteGlobalCache(path: environment.variables["STEPCONF_CACHE_PATH"] ?? "/tmp/stepconf-cache.sqlite")
    }
}
