import FoundationEssentials
import Glibc

/// A model file: the fitted ``StepModel`` of every step of one workflow.
public struct PerformanceModel: Sendable, Hashable, Codable {
    /// The workflow the model was fitted for.
    public var workflow: String
    /// Where the parameters came from (`hand-set`, `fitted`, …).
    public var source: String
    /// Per-step models, by step id.
    public var steps: [String: StepModel]

    public init(workflow: String, source: String = "hand-set", steps: [String: StepModel]) {
        self.workflow = workflow
        self.source = source
        self.steps = steps
    }

    enum CodingKeys: String, CodingKey {
        case workflow, source, steps
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workflow = try c.decode(String.self, forKey: .workflow)
        source = try c.decodeIfPresent(String.self, forKey: .source) ?? "unknown"
        steps = try c.decode([String: StepModel].self, forKey: .steps)
    }

    /// Checks that every step of `workflow` has a model and that every parameter is a finite number ≥ 0.
    /// - Throws: ``InputError`` naming the file, the step and the parameter.
    public func validated(for workflow: Workflow, source file: String = "model") throws -> PerformanceModel {
        for step in workflow.steps where steps[step.id] == nil {
            throw InputError(.missingStep, "\(file): no model for step `\(step.id)` of workflow `\(workflow.name)`")
        }
        let known = Set(workflow.steps.map(\.id))
        for id in steps.keys.sorted() where !known.contains(id) {
            throw InputError(.unknownStep, "\(file): step `\(id)` is not in workflow `\(workflow.name)`")
        }
        for id in steps.keys.sorted() {
            let model = steps[id]!
            if let (name, expected) = model.rangeProblem {
                throw InputError(.invalidParameter, "\(file): step `\(id)`: parameter `\(name)` must be \(expected)")
            }
        }
        return self
    }

    /// Decodes a model (JSON) and validates it against `workflow`; `source` names it in messages.
    /// - Throws: ``InputError``.
    public static func decode(_ data: Data, source: String, for workflow: Workflow) throws -> PerformanceModel {
        let model: PerformanceModel
        try StrictJSON.check([UInt8](data), source: source)
        do {
            model = try JSONDecoder().decode(PerformanceModel.self, from: data)
        } catch let error as DecodingError {
            throw InputError(.malformed, "\(source): \(JSONErrorText.describe(error))")
        } catch {
            throw InputError(.malformed, "\(source): not valid JSON")
        }
        return try model.validated(for: workflow, source: source)
    }
}
