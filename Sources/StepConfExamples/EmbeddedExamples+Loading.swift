import Foundation
import StepConfCore

extension EmbeddedExamples {
    /// Names of the embedded example workflows (`synthetic16`, `video`, …).
    public static var workflowNames: [String] {
        files.keys.filter { !$0.hasSuffix(".model.json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The embedded workflow `name`.
    /// - Throws: ``WorkflowError`` when there is none of that name.
    public static func workflow(_ name: String) throws -> Workflow {
        guard let text = files["\(name).json"] else {
            throw WorkflowError(
                .malformed, "no embedded workflow `\(name)`; embedded: \(workflowNames.joined(separator: ", "))")
        }
        return try Workflow.decode(Data(text.utf8), source: "embedded:\(name).json")
    }

    /// The embedded model of workflow `name`, validated against `workflow`.
    /// - Throws: ``InputError`` when there is none.
    public static func model(_ name: String, for workflow: Workflow) throws -> PerformanceModel {
        guard let text = files["\(name).model.json"] else {
            throw InputError(.unreadable, "no embedded model for workflow `\(name)`")
        }
        return try PerformanceModel.decode(Data(text.utf8), source: "embedded:\(name).model.json", for: workflow)
    }
}
