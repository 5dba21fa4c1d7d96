import Foundation
import StepConfCore
import StepConfFunctions

/// Inputs for a workflow's first step when none are given: a generated video for `video.extract`, the
/// generated word-count corpus for `wordcount.map`, nothing for steps that need none (`synthetic`).
public enum StarterInputs {
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
