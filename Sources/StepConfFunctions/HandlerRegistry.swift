import FoundationEssentials
import Glibc
import StepConfAWS
import StepConfCore
import StepConfLambda
import StepConfSQLite
import StepConfWorker
import Synchronization

/// The handlers `bootstrap` can run, chosen by `_HANDLER`.
public enum HandlerRegistry {
    /// The names `_HANDLER` may take.
    public static let names = ["configurator"] + StepFunctions.all.keys.sorted()

    /// Makes the handler `_HANDLER` names.
    /// - Throws: ``HandlerError`` for an unknown name, ``InputError`` for a configurator that cannot start (reported on
    ///   `/init/error`).
    public static func make(_ environment: LambdaEnvironment) throws -> any ByteHandler {
        WarmUpAware(try handler(environment), name: environment.handler)
    }

    private static func handler(_ environment: LambdaEnvironment) throws -> any ByteHandler {
        // The environment contract, decoded once for whichever handler is made.
        let contract = try FunctionEnvironment(decoding: environment.variables)
        switch environment.handler {
        case "configurator":
            let settings = try ConfiguratorHandler.Settings(environment: environment, contract: contract)
            return CodableHandlerAdapter(ConfiguratorHandler(
                settings: settings, cache: try globalCache(contract, variables: environment.variables),
                warmUps: settings.prewarm ? warmUpSender(environment.variables) : nil,
                store: { try StepFunctions.store(contract, variables: environment.variables) }))
        case let kind where StepFunctions.all[kind] != nil:
            let wrapper = StepWrapper(
                function: try StepFunctions.configured(kind, workScale: contract.workScale),
                store: try StepFunctions.store(contract, variables: environment.variables),
                workerExecutable: contract.workerExecutable ?? ProcessPool.currentExecutable,
                functionMemoryMB: environment.memoryMB,
                deadlineMarginSeconds: contract.deadlineMargin ?? StepWrapper.defaultDeadlineMarginSeconds)
            return CodableHandlerAdapter(StepHandler(wrapper: wrapper))
        default:
            throw HandlerError(
                .unknownHandler,
                "unknown handler `\(environment.handler)` (_HANDLER); known: \(names.joined(separator: ", "))")
        }
    }

    /// The configurators' shared cache: the DynamoDB table ``FunctionEnvironment/cacheTable`` when set (on
    /// AWS; region, credentials and endpoint from the usual AWS settings), else the SQLite file
    /// ``FunctionEnvironment/cachePath`` (default `/tmp/stepconf-cache.sqlite`).
    /// - Throws: ``HandlerError`` when the AWS settings are incomplete, or the SQLite file cannot be opened.
    static func globalCache(_ contract: FunctionEnvironment, variables: [String: String]) throws -> any GlobalCache {
        if let table = contract.cacheTable {
            do {
                let configuration = try AWSConfiguration.resolve(AWSEnvironment(variables: variables))
                return DynamoDBGlobalCache(dynamo: DynamoDBClient(configuration: configuration), table: table)
            } catch let error as AWSError {
                throw HandlerError(.configuration, "\(FunctionEnvironment.Variable.cacheTable.name)=\(table): \(error.message)")
            }
        }
        return try SQLiteGlobalCache(path: contract.cachePath ?? "/tmp/stepconf-cache.sqlite")
    }
}

extension HandlerRegistry {
    /// Where the configurator's warm-ups go: Lambda's Invoke API (region, credentials and endpoint from the usual AWS
    /// settings; the emulator points its functions at itself). Against a loopback endpoint with no credentials at
    /// all (a local run), requests are signed with placeholders: the emulator does not check signatures. Settings that
    /// do not resolve (no region) do not stop the configurator: each warm-up then fails with the reason, in its log.
    static func warmUpSender(_ variables: [String: String]) -> any WarmUpSending {
        do {
            var configuration = try AWSConfiguration.resolve(AWSEnvironment(variables: variables))
            let endpoint = configuration.endpoint(.lambda)
            if ["localhost", "127.0.0.1", "[::1]"].contains(endpoint.hostName) {
                configuration.credentials = PlaceholderWhenMissing(configuration.credentials)
            }
            return LambdaClient(configuration: configuration)
        } catch {
            return Unavailable(reason: "\(error)")
        }
    }

    /// A sender that cannot send, and says why.
    struct Unavailable: WarmUpSending {
        let reason: String
        func invokeEvent(function: String, payload: Data) throws {
            throw HandlerError(.configuration, "warm-ups cannot be sent: \(reason)")
        }
    }

    /// The credentials found, else placeholders (for a local emulator only).
    struct PlaceholderWhenMissing: CredentialProvider {
        let found: any CredentialProvider
        init(_ found: any CredentialProvider) { self.found = found }
        func credentials() throws -> AWSCredentials {
            (try? found.credentials()) ?? AWSCredentials(accessKeyID: "emulator", secretAccessKey: "emulator")
        }
    }
}

/// Any function, answering a warm-up (``WarmUpEvent``) at once and handing every other event to its handler: the
/// instance a warm-up starts is what it is for.
final class WarmUpAware: ByteHandler {
    let handler: any ByteHandler
    let name: String
    /// Whether the instance has served an invocation yet.
    private let served = Atomic<Bool>(false)

    init(_ handler: any ByteHandler, name: String) {
        self.handler = handler
        self.name = name
    }

    func handle(_ event: Data, context: LambdaContext) throws -> Data {
        let first = !served.exchange(true, ordering: .relaxed)
        guard let warmUp = try WarmUpEvent.decode(event) else { return try handler.handle(event, context: context) }
        context.logger.debug(
            "warm-up", metadata: ["execution": "\(warmUp.execution ?? "-")", "step": "\(warmUp.step ?? "-")", "cold": "\(first)"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(WarmUpAnswer(handler: name, cold: first))
    }
}
