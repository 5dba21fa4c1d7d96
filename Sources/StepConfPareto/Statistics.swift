import Foundation

/// The Wilcoxon signed-rank test and Holm's step-down correction, as the study compares algorithms.
public enum SignificanceTests {
    /// Two-sided p-value of the Wilcoxon signed-rank test on paired samples `a` and `b`. Zero differences are
    /// dropped (Wilcoxon's treatment), tied magnitudes get average ranks. Exact null distribution for up to 25
    /// non-zero differences without ties; otherwise the normal approximation with tie correction and a 0.5
    /// continuity correction. 1 when every difference is zero.
    public static func wilcoxonSignedRank(_ a: [Double], _ b: [Double]) -> Double {
        let differences = zip(a, b).map { $0 - $1 }.filter { $0 != 0 }
        let n = differences.count
        guard n > 0 else { return 1 }
        let order = differences.indices.sorted { abs(differences[$0]) < abs(differences[$1]) }
        var ranks = [Double](repeating: 0, count: n)
        var tieGroups: [Int] = []
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && abs(differences[order[j + 1]]) == abs(differences[order[i]]) { j += 1 }
            let average = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = average }
            tieGroups.append(j - i + 1)
            i = j + 1
        }
        let wPlus = differences.indices.filter { differences[$0] > 0 }.reduce(0.0) { $0 + ranks[$1] }
        let total = Double(n * (n + 1)) / 2
        if n <= 25 && tieGroups.allSatisfy({ $0 == 1 }) {
            // Exact: the number of subsets of {1…n} with each rank sum.
            let maxSum = n * (n + 1) / 2
            var counts = [Double](repeating: 0, count: maxSum + 1)
            counts[0] = 1
            for r in 1...n { for s in stride(from: maxSum, through: r, by: -1) { counts[s] += counts[s - r] } }
            let all = pow(2.0, Double(n))
            let w = Int(min(wPlus, total - wPlus).rounded())
            let tail = counts[0...w].reduce(0, +) / all
            return min(1, 2 * tail)
        }
        let mean = total / 2
        let tieCorrection = tieGroups.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) } / 48
        let variance = Double(n * (n + 1) * (2 * n + 1)) / 24 - tieCorrection
        guard variance > 0 else { return 1 }
        let z = (abs(wPlus - mean) - 0.5) / variance.squareRoot()
        return min(1, erfc(max(0, z) / 2.0.squareRoot()))
    }

    /// Holm's adjustment of `pValues` (same order in and out).
    public static func holm(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
