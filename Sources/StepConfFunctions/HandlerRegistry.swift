import Foundation
import StepConfCore
import StepConfLambda
import StepConfSQLite

/// The handlers `bootstrap` can run, chosen by `_HANDLER`.
public enum HandlerRegistry {
    /// The names `_HANDLER` may take.
    public static let names = ["configurator", "echo", "sleep", "crash"]

    /// Makes the handler `_HANDLER` names.
    /// - Throws: ``InputError`` for an unknown name or a configurator that cannot start (reported on
    ///   `/init/error`).
    public static func make(_ environment: LambdaEnvironment) throws -> any ByteHandler {
        switch environment.handler {
        case "echo": return EchoHandler()
        case "sleep": return CodableHandlerAdapter(SleepHandler())
        case "crash": return CrashHandler()
        case "configurator":
            let path = environment.variables["STEPCONF_CACHE_PATH"] ?? "/tmp/stepconf-cache.sqlite"
            return CodableHandlerAdapter(try ConfiguratorHandler(
                settings: try .init(environment: environment), cache: try SQLiteGlobalCache(path: path)))
        default:
            throw InputError(
                .unknownPolicy,
                "unknown handler `\(environment.handler)` (_HANDLER); known: \(names.joined(separator: ", "))")
        }
    }
}
