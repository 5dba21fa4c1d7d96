/// The two orders every choice among a step's options makes, once: the fastest (ties: the cheaper) and the cheapest
/// (ties: the faster). On a complete tie the earlier option stays.
package enum OptionOrder {
    /// Whether (`seconds`, `cost`) is faster than (`otherSeconds`, `otherCost`), ties broken by cost.
    @inline(__always)
    package static func isFaster(_ seconds: Double, _ cost: Double, than otherSeconds: Double, _ otherCost: Double) -> Bool {
        seconds < otherSeconds || (seconds == otherSeconds && cost < otherCost)
    }

    /// Whether (`seconds`, `cost`) is cheaper than (`otherSeconds`, `otherCost`), ties broken by time.
    @inline(__always)
    package static func isCheaper(_ seconds: Double, _ cost: Double, than otherSeconds: Double, _ otherCost: Double) -> Bool {
        cost < otherCost || (cost == otherCost && seconds < otherSeconds)
    }

    /// The fastest of `count` options (nil when there are none).
    @inline(__always)
    package static func fastest(_ count: Int, seconds: (Int) -> Double, cost: (Int) -> Double) -> Int? {
        guard count > 0 else { return nil }
        var best = 0
        for k in 1..<count where isFaster(seconds(k), cost(k), than: seconds(best), cost(best)) { best = k }
        return best
    }

    /// The cheapest of `count` options, or of those whose time is at most `budget` (nil when none fits).
    @inline(__always)
    package static func cheapest(
        _ count: Int, within budget: Double? = nil, seconds: (Int) -> Double, cost: (Int) -> Double
    ) -> Int? {
        var best: Int?
        for k in 0..<count where budget.map({ seconds(k) <= $0 }) ?? true {
            if let b = best, !isCheaper(seconds(k), cost(k), than: seconds(b), cost(b)) { continue }
            best = k
        }
        return best
    }
}
