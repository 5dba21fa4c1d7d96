/// Idle instances per function, kept warm for ``SimulatorConfig/keepAliveSeconds`` after their last use.
public struct WarmPool: Sendable {
    /// When each idle instance became idle, per function name.
    private var idle: [String: [Double]] = [:]
    /// Seconds an idle instance stays warm.
    public let keepAliveSeconds: Double

    public init(keepAliveSeconds: Double) { self.keepAliveSeconds = keepAliveSeconds }

    /// Takes an instance of `function` at time `t`: true when a warm one was idle, false for a cold start.
    public mutating func acquire(_ function: String, at t: Double) -> Bool {
        guard var list = idle[function] else { return false }
        list.removeAll { t - $0 > keepAliveSeconds }
        // The most recently used instance that is idle by `t` (the platform prefers hot sandboxes).
        var pick = -1
        for (k, since) in list.enumerated() where since <= t && (pick < 0 || since > list[pick]) { pick = k }
        if pick >= 0 { list.remove(at: pick) }
        idle[function] = list
        return pick >= 0
    }

    /// Returns an instance of `function` to the pool at time `t`.
    public mutating func release(_ function: String, at t: Double) { idle[function, default: []].append(t) }

    /// Warm instances of `function` at time `t`.
    public func warmCount(_ function: String, at t: Double) -> Int {
        idle[function]?.filter { $0 <= t && t - $0 <= keepAliveSeconds }.count ?? 0
    }
}
