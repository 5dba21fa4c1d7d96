import FoundationEssentials
import Glibc
import Logging
import StepConfAWS
import StepConfCore
import StepConfLambda
import StepConfStorage
import StepConfWorker

/// The step functions `bootstrap` can run, by kind (`_HANDLER`, and the job kind in worker mode).
public enum StepFunctions {
    public static let all: [String: any StepFunction] = {
        let functions: [any StepFunction] = [
            SyntheticStep(), WordCountMap(), WordCountReduce(), VideoExtract(), VideoSuperResolution(), VideoDetect(),
            VideoColorFilter(), VideoEncode(),
        ]
        return Dictionary(uniqueKeysWithValues: functions.map { ($0.kind, $0) })
    }()

    /// The function of `kind` as a deployed function runs it: the synthetic step counts `difficulty` in
    /// simulator units times `workScale` (``FunctionEnvironment/workScale``, default 1; local runs scale the
    /// work down).
    /// - Throws: ``HandlerError`` for an unknown kind.
    public static func configured(_ kind: String, workScale: Double?) throws -> any StepFunction {
        guard let function = all[kind] else {
            throw HandlerError(.unknownHandler, "no step function of kind `\(kind)` (known: \(all.keys.sorted().joined(separator: ", ")))")
        }
        guard kind == "synthetic" else { return function }
        return SyntheticStep(iterationsPerUnit: SyntheticStep.iterationsPerSimulatorUnit * (workScale ?? 1))
    }

    /// The worker-mode kernel: runs a job with the function its kind names.
    public static func kernel(_ job: WorkerFrame) throws -> Data {
        guard let function = all[job.kind] else { throw StepInputError(.unknownKind, "no step function of kind \(job.kind)") }
        return try function.kernel(job)
    }

    /// The object store the contract names (``FunctionEnvironment/store``): `s3://bucket[/prefix]` (AWS
    /// settings from `variables` as usual) or a directory path (`file://` optional); default
    /// `/tmp/stepconf-store`.
    /// - Throws: ``HandlerError`` (`.configuration`) when the setting or the AWS configuration is unusable.
    public static func store(_ contract: FunctionEnvironment, variables: [String: String]) throws -> any ObjectStore {
        let setting = contract.store ?? "/tmp/stepconf-store"
        let name = FunctionEnvironment.Variable.store.name
        if setting.hasPrefix("s3://") {
            let rest = setting.dropFirst(5)
            let bucket = String(rest.prefix { $0 != "/" })
            let prefix = String(rest.dropFirst(bucket.count)).trimmed(while: { $0 == "/" })
            do {
                let configuration = try AWSConfiguration.resolve(AWSEnvironment(variables: variables))
                return S3ObjectStore(transfer: S3TransferManager(s3: S3Client(configuration: configuration)), bucket: bucket, prefix: prefix)
            } catch let error as AWSError {
                throw HandlerError(.configuration, "\(name)=\(setting): \(error.message)")
            }
        }
        let path = setting.hasPrefix("file://") ? String(setting.dropFirst(7)) : setting
        do {
            return try LocalDirectoryStore(root: path)
        } catch {
            throw HandlerError(.configuration, "\(name)=\(setting): \(error)")
        }
    }
}

/// A step function as a Lambda handler: the event is a ``StepEvent``, the answer a ``StepOutput``.
public struct StepHandler: CodableHandler {
    public let wrapper: StepWrapper

    public init(wrapper: StepWrapper) { self.wrapper = wrapper }

    public func handle(_ event: StepEvent, context: LambdaContext) throws -> StepOutput {
        let clock = ContinuousClock()
        let started = clock.now
        // Lambda's deadline for this invocation (none when the context carries none, as in a direct call).
        let deadline = context.deadlineMs > 0 ? clock.now + .seconds(context.remainingSeconds) : nil
        let output = try wrapper.run(event, deadline: deadline)
        context.logger.debug(
            "instance done",
            metadata: [
                "step": "\(event.step)", "execution": "\(event.execution)", "index": "\(event.index)", "intra": "\(event.intra)", "jobs": "\(event.jobEnd - event.jobStart)",
                "outputs": "\(output.outputs.count)", "seconds": "\((clock.now - started).seconds)",
            ])
        return output
    }
}
