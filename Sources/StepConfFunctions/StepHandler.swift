import Foundation
import StepConfAWS
import StepConfCore
import StepConfLambda
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
    /// simulator units times `STEPCONF_WORK_SCALE` (default 1; local runs scale the work down).
    /// - Throws: ``InputError`` for an unknown kind or a bad scale.
    public static func configured(_ kind: String, variables: [String: String]) throws -> any StepFunction {
        guard let function = all[kind] else {
            throw InputError(.malformed, "no step function of kind `\(kind)` (known: \(all.keys.sorted().joined(separator: ", ")))")
        }
        guard kind == "synthetic" else { return function }
        let text = variables["STEPCONF_WORK_SCALE"] ?? "1"
        guard let scale = Double(text), scale > 0, scale.isFinite else {
            throw InputError(.invalidParameter, "STEPCONF_WORK_SCALE must be a number > 0, got `\(text)`")
        }
        return SyntheticStep(iterationsPerUnit: SyntheticStep.iterationsPerSimulatorUnit * scale)
    }

    /// The worker-mode kernel: runs a job with the function its kind names.
    public static func kernel(_ job: WorkerFrame) throws -> Data {
        guard let function = all[job.kind] else { throw StepInputError("no step function of kind \(job.kind)") }
        return try function.kernel(job)
    }

    /// The object store the environment names: `STEPCONF_STORE` = `s3://bucket[/prefix]` (AWS settings as
    /// usual) or a directory path (`file://` optional); default `/tmp/stepconf-store`.
    /// - Throws: ``InputError`` when the setting or the AWS configuration is unusable.
    public static func store(_ variables: [String: String]) throws -> any ObjectStore {
        let setting = variables["STEPCONF_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/stepconf-store"
        if setting.hasPrefix("s3://") {
            let rest = setting.dropFirst(5)
            let bucket = String(rest.prefix { $0 != "/" })
            let prefix = String(rest.dropFirst(bucket.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            do {
                let configuration = try AWSConfiguration.resolve(AWSEnvironment(variables: variables))
                return S3ObjectStore(transfer: S3TransferManager(s3: S3Client(configuration: configuration)), bucket: bucket, prefix: prefix)
            } catch let error as AWSError {
                throw InputError(.unreadable, "STEPCONF_STORE=\(setting): \(error.message)")
            }
        }
        let path = setting.hasPrefix("file://") ? String(setting.dropFirst(7)) : setting
        do {
            return try LocalDirectoryStore(root: path)
        } catch {
            throw InputError(.unreadable, "STEPCONF_STORE=\(setting): \(error)")
        }
    }
}

/// A step function as a Lambda handler: the event is a ``StepEvent``, the answer a ``StepOutput``.
public struct StepHandler: CodableHandler {
    public let wrapper: StepWrapper

    public init(wrapper: StepWrapper) { self.wrapper = wrapper }

    public func handle(_ event: StepEvent, context: LambdaContext) throws -> StepOutput {
        try wrapper.run(event)
    }
}
