import FoundationEssentials
import Glibc

/// How large requests' inputs are, as multiples of the workflow's nominal size (``Workflow/scaled(by:)``): what
/// `evaluate --input-sizes` draws each simulated request's size from.
public enum InputSizes: Sendable, Hashable, CustomStringConvertible {
    /// Every request of the nominal size (the default: the workflow as its file says).
    case fixed
    /// Log-normal with median 1 and σ of the log; draws are snapped to a grid of 2^(1/16) steps (4.4 %), so that
    /// requests of one size share their plans.
    case lognormal(sigma: Double)
    /// Sizes observed, one per request, drawn with replacement.
    case observed([Double])

    /// The largest size a request may have, × nominal.
    public static let maxSize = 1e4
    /// The largest σ of a log-normal: its draws (at most 5.3 σ out, 1 − 1e-12) stay under ``maxSize``.
    public static let maxSigma = 1.5
    /// The most sizes a file may list.
    public static let maxObserved = 1_000_000

    /// The largest sizes file, bytes (a size is a line of a few bytes).
    public static let maxFileBytes = 32 * 1024 * 1024

    /// Parses `fixed`, `lognormal:SIGMA` or `file:PATH` (one positive size per line; blank lines and `#` comments
    /// skipped); `read` gives a file's bytes (``InputSizes/load(_:)`` in StepConfStorage reads them, bounded).
    /// - Throws: ``InputError`` naming what is wrong, and for a file the line; what `read` throws.
    public static func parse(_ text: String, read: (String) throws -> Data) throws -> InputSizes {
        if text == "fixed" { return .fixed }
        if text.hasPrefix("lognormal:") {
            let raw = text.dropFirst("lognormal:".count)
            guard let sigma = Double(raw), sigma.isFinite, sigma > 0, sigma <= maxSigma else {
                throw InputError(.invalidParameter, "lognormal:SIGMA needs 0 < SIGMA ≤ \(maxSigma), got `\(raw.prefix(32))`")
            }
            return .lognormal(sigma: sigma)
        }
        if text.hasPrefix("file:") {
            let path = String(text.dropFirst("file:".count))
            return try decode(try read(path), source: path)
        }
        throw InputError(.invalidParameter, "input sizes: expected fixed, lognormal:SIGMA or file:PATH, got `\(text.prefix(64))`")
    }

    /// Observed sizes from a file's bytes, one positive number per line.
    /// - Throws: ``InputError`` naming `source` and the line.
    public static func decode(_ data: Data, source: String) throws -> InputSizes {
        guard let contents = String(data: data, encoding: .utf8) else {
            throw InputError(.malformed, "\(source): not UTF-8 text (one size per line)")
        }
        var sizes: [Double] = []
        for (n, line) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmed()
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            guard let size = Double(trimmed), size.isFinite, size > 0, size <= maxSize else {
                throw InputError(
                    .invalidParameter, "\(source) line \(n + 1): a size must be a positive number of at most \(Int(maxSize)), got `\(trimmed.prefix(32))`")
            }
            guard sizes.count < maxObserved else { throw InputError(.invalidParameter, "\(source): more than \(maxObserved) sizes") }
            sizes.append(size)
        }
        guard !sizes.isEmpty else { throw InputError(.invalidParameter, "\(source): no sizes (one positive number per line)") }
        return .observed(sizes)
    }

    public var description: String {
        switch self {
        case .fixed: "fixed"
        case .lognormal(let sigma): "lognormal:\(sigma)"
        case .observed(let sizes): "file (\(sizes.count) sizes)"
        }
    }

    /// The sizes of `count` requests from `seed`, from a stream of their own; nil for `fixed` (every request nominal,
    /// nothing drawn).
    public func draw(count: Int, seed: UInt64) -> [Double]? {
        var rng = SeededRandom(seed: seed).derived(0x5123)
        switch self {
        case .fixed:
            return nil
        case .lognormal(let sigma):
            return (0..<count).map { _ in
                let z = NoiseModel.standardNormalQuantile(min(max(rng.unit(), 1e-12), 1 - 1e-12))
                return Self.snapped(exp(sigma * z))
            }
        case .observed(let sizes):
            return (0..<count).map { _ in sizes[min(sizes.count - 1, Int(rng.unit() * Double(sizes.count)))] }
        }
    }

    /// `size` on the grid of 2^(1/16) steps.
    /// `size` on the grid of 2^(1/16) steps.
    public static func snapped(_ size: Double) -> Double { exp2((log2(size) * 16).rounded() / 16) }

    /// The `level` quantile (0 < level < 1) of the size.
    public func quantile(_ level: Double) -> Double {
        switch self {
        case .fixed:
            return 1
        case .lognormal(let sigma):
            return Self.snapped(exp(sigma * NoiseModel.standardNormalQuantile(level)))
        case .observed(let sizes):
            let sorted = sizes.sorted()
            return sorted[min(sorted.count - 1, max(0, Int((level * Double(sorted.count)).rounded(.up)) - 1))]
        }
    }
}
