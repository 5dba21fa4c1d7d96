/// A step's input as the state machine describes it: object keys given directly (a first step's execution
/// input) and the results of the steps it depends on. The configurator reads it, and each instance takes its
/// share of the keys from it (``share(instance:of:)``), so a decision made before the keys exist still splits
/// them as one made after.
public struct StepInput: Codable, Sendable, Equatable {
    /// Keys given directly.
    public var keys: [String]?
    /// The results of the steps this one depends on, by step id: each a Map's result, one entry per instance
    /// with the keys it wrote (what the state machine carries in `$.out`).
    public var after: [String: [InstanceResult]]?

    /// What one instance of a preceding step wrote.
    public struct InstanceResult: Codable, Sendable, Equatable {
        public var outputs: [String]

        public init(outputs: [String]) { self.outputs = outputs }

        /// The wire name the state machine's Map result carries (`$.Payload.outputs`).
        package enum CodingKeys: String, CodingKey { case outputs }
    }

    /// The wire names, as the state machine writes them.
    package enum CodingKeys: String, CodingKey { case keys, after }

    public init(keys: [String]? = nil, after: [String: [InstanceResult]]? = nil) {
        self.keys = keys
        self.after = after
    }

    /// The step's input keys: `keys`, then every predecessor's outputs in step-id order.
    public var allKeys: [String] {
        (keys ?? []) + (after ?? [:]).sorted { $0.key < $1.key }.flatMap { $0.value.flatMap(\.outputs) }
    }

    /// The keys instance `j` of `p` takes (``InstanceSplit``).
    public func share(instance j: Int, of p: Int) -> [String] {
        let all = allKeys
        return Array(all[InstanceSplit.range(instance: j, of: p, count: all.count)])
    }
}
