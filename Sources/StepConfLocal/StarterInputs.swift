import Foundation
import StepConfCore
import StepConfAWS
import StepConfFunctions

/// Inputs for a workflow's first step when none are given: a generated video for `video.extract`, the
/// generated word-count corpus for `wordcount.map`, nothing for steps that need none (`synthetic`).
public enum StarterInputs {
    /// Whether ``make(for:store:)`` makes anything for `step`.
    public static func needsInputs(_ step: Workflow.Step) -> Bool {
        ["video.extract", "wordcount.map"].contains(step.kind)
    }

    /// Writes the inputs `step` needs under `inputs/{step}/` in `store` and returns their keys.
    /// - Throws: the store's error.
    public static func make(for step: Workflow.Step, store: any ObjectStore) throws -> [String] {
        switch step.kind {
        case "video.extract":
            let (video, _) = SyntheticVideo.make(width: 320, height: 180, frames: max(8, min(step.jobs, 48)))
            let key = "inputs/\(step.id)/video.y4m"
            try store.put(key, data: video.encoded())
            return [key]
        case "wordcount.map":
            return try WordCount.corpus().map { file in
                let key = "inputs/\(step.id)/\(file.name)"
                try store.put(key, data: Data(file.text.utf8))
                return key
            }
        default:
            return []
        }
    }
}

extension LocalStack {
    /// Inputs for a run of `workflow` on the stack in `directory` when the caller gives none: what
    /// ``StarterInputs`` makes for its first step, uploaded to the stack's bucket. Keys, or `[]` when the first
    /// step needs none.
    /// - Throws: ``LocalError`` when the stack does not hold the workflow or has no bucket; the store's error.
    public static func starterInputs(workflow: String, directory: String, state: State) throws -> [String] {
        let path = "\(directory)/bundle/workflows/\(workflow).json"
        let graph: WorkflowGraph
        do {
            graph = try WorkflowGraph(try Workflow.decode(try Data(contentsOf: URL(fileURLWithPath: path)), source: path))
        } catch {
            throw LocalError(.stack, "the stack in \(directory) has no workflow `\(workflow)` (\(path): \(error))")
        }
        guard StarterInputs.needsInputs(graph[graph.start]) else { return [] }
        guard let bucket = state.bucket else {
            throw LocalError(.stack, "the stack in \(directory) has no data bucket to put `\(workflow)`'s inputs in")
        }
        let aws = try AWSConfiguration(
            region: state.region, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "test", secretAccessKey: "test")),
            endpoints: [.s3: try AWSEndpoint(state.endpoint)])
        let store = S3ObjectStore(transfer: S3TransferManager(s3: S3Client(configuration: aws)), bucket: bucket)
        return try StarterInputs.make(for: graph[graph.start], store: store)
    }
}
