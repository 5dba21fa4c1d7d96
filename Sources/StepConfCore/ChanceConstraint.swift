import FoundationEssentials
import Glibc

/// A percentile SLO (docs/policies.md, after Jolteon, NSDI'24): a plan is feasible when P(makespan ≤ S) ≥ P.
///
/// Method: each step's time is its prediction plus independent noise of known variance
/// (``NoiseModel/stepVariance(seconds:inter:fallbackSpread:)``); a path's time is taken as normal (its steps'
/// sum), so its P-quantile is Σ t + z_P·√(Σ σ²); the model's own error (its fit's mean relative error e)
/// is systematic, so it adds Σ e·t linearly on top. The constraint is applied to the critical path a policy
/// plans with. Its errors: the normal approximation of a sum of a few skewed terms (rare slow-downs make the
/// tail heavier than normal), and the maximum over parallel paths, which is not modelled: two near-critical
/// branches each at P together fall below P. `stepconf evaluate` measures the attainment this gives.
public struct ChanceConstraint: Sendable, Hashable {
    /// The percentile when none is given.
    public static let defaultPercentile = 99.0

    /// P, in percent (0 < P < 100).
    public let percentile: Double
    /// z_P = Φ⁻¹(P/100).
    public let z: Double

    /// - Throws: ``InputError`` for a percentile outside (0, 100): at 100 no SLO can be guaranteed, because the
    ///   noise model's tail (normal spread, slow-downs, cold starts) is unbounded.
    public init(percentile: Double) throws {
        guard percentile.isFinite, percentile > 0, percentile < 100 else {
            let why = percentile >= 100 && percentile.isFinite
                ? ": no SLO can be guaranteed at 100 % because the noise model's tail is unbounded; use e.g. 99.9"
                : ""
            throw InputError(.invalidSLO, "the SLO percentile must be in (0, 100), got \(percentile)\(why)")
        }
        self.percentile = percentile
        self.z = NoiseModel.standardNormalQuantile(percentile / 100)
    }

    /// The margin a path of total variance `variance` (seconds²) needs above its predicted time, seconds:
    /// z_P·√variance (negative below the median, for P < 50).
    public func margin(variance: Double) -> Double { z * max(0, variance).squareRoot() }

    /// The margin a path needs: its model error `error` (Σ e·t, seconds) plus z_P·√variance, seconds.
    public func margin(error: Double, variance: Double) -> Double { max(0, error) + margin(variance: variance) }
}
