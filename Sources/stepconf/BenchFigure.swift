/// One figure of a benchmark: an operation timed over runs, its median and 99th percentile (µs), and what it measured.
struct BenchFigure: Encodable {
    var name: String
    var iterations: Int
    var medianMicroseconds: Double
    var p99Microseconds: Double
    var detail: String

    enum CodingKeys: String, CodingKey {
        case name, iterations, detail
        case medianMicroseconds = "median_us"
        case p99Microseconds = "p99_us"
    }

    init(name: String, iterations: Int, medianMicroseconds: Double, p99Microseconds: Double, detail: String) {
        self.name = name
        self.iterations = iterations
        self.medianMicroseconds = medianMicroseconds
        self.p99Microseconds = p99Microseconds
        self.detail = detail
    }

    /// The figure of `samples` (µs): the median and the nearest-rank 99th percentile; zeros when there are none.
    init(_ name: String, samples: [Double], detail: String) {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else {
            self.init(name: name, iterations: 0, medianMicroseconds: 0, p99Microseconds: 0, detail: detail)
            return
        }
        let p99 = sorted[max(0, min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1))]
        self.init(
            name: name, iterations: sorted.count, medianMicroseconds: sorted[sorted.count / 2], p99Microseconds: p99,
            detail: detail)
    }

    /// The figures as the table the benchmarks print.
    static func table(_ figures: [BenchFigure]) -> String {
        var table = TextTable(["operation", "runs", "median_us", "p99_us", "detail"], leftAligned: [0, 4])
        for f in figures {
            table.add([f.name, "\(f.iterations)", fixed(f.medianMicroseconds, 1), fixed(f.p99Microseconds, 1), f.detail])
        }
        return table.render()
    }
}
