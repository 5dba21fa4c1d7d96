import Foundation

/// Quality indicators of an approximation front against a reference front (the exhaustive one), both computed
/// after normalizing each objective by the reference front's ideal (0) and nadir (1).
public struct Indicators: Sendable {
    public let reference: [ObjectivePoint]
    public let ideal: ObjectivePoint
    public let nadir: ObjectivePoint
    /// The hypervolume's reference point in normalized space: 10 % beyond the reference front's nadir, so its
    /// extreme points count too.
    public static let hypervolumePoint = (1.1, 1.1)

    /// - Parameter reference: the true front (dominated points are dropped).
    public init(reference: [ObjectivePoint]) {
        let front = ParetoFront.nonDominated(reference)
        self.reference = front
        ideal = ObjectivePoint(front.map(\.f1).min() ?? 0, front.map(\.f2).min() ?? 0)
        nadir = ObjectivePoint(front.map(\.f1).max() ?? 1, front.map(\.f2).max() ?? 1)
    }

    func normalized(_ p: ObjectivePoint) -> (Double, Double) {
        let r1 = nadir.f1 > ideal.f1 ? nadir.f1 - ideal.f1 : 1
        let r2 = nadir.f2 > ideal.f2 ? nadir.f2 - ideal.f2 : 1
        return ((p.f1 - ideal.f1) / r1, (p.f2 - ideal.f2) / r2)
    }

    /// Exact two-objective hypervolume of `points` (normalized; points beyond the reference point ignored).
    public func hypervolume(_ points: [ObjectivePoint]) -> Double {
        let (r1, r2) = Self.hypervolumePoint
        let front = ParetoFront.nonDominated(points)
            .map(normalized)
            .filter { $0.0 < r1 && $0.1 < r2 }
        var volume = 0.0
        var ceiling = r2
        for (x, y) in front where y < ceiling {  // sorted by f1 ascending, f2 descending
            volume += (r1 - x) * (ceiling - y)
            ceiling = y
        }
        return volume
    }

    /// The reference front's own hypervolume: the most any approximation reaches.
    public var referenceHypervolume: Double { hypervolume(reference) }

    /// Inverted generational distance: the mean, over the reference front, of the distance to the nearest point
    /// of `points` (normalized). 0 when `points` covers the reference front.
    public func igd(_ points: [ObjectivePoint]) -> Double {
        guard !points.isEmpty else { return .infinity }
        let approx = points.map(normalized)
        let sum = reference.map(normalized).reduce(0.0) { total, r in
            total + approx.map { hypot($0.0 - r.0, $0.1 - r.1) }.min()!
        }
        return sum / Double(max(1, reference.count))
    }
}
