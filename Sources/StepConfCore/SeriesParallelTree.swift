/// The series-parallel decomposition of a workflow DAG, when it has one.
///
/// Each step becomes an edge `in(v) → out(v)`, each dependency a zero-time edge `out(u) → in(v)`; series
/// reductions (a node with one edge in and one out) and parallel reductions (two edges between the same
/// nodes) are applied until no more apply. The DAG is series-parallel exactly when one edge remains.
public struct SeriesParallelTree: Sendable {
    /// A node of the decomposition.
    public enum Node: Sendable, Hashable {
        /// Takes no time and costs nothing (a dependency edge).
        case empty
        /// One step, by graph index.
        case step(Int)
        /// Both run, one after the other.
        case series(Int, Int)
        /// Both run side by side.
        case parallel(Int, Int)
    }

    /// The nodes; children come before their parents.
    public let nodes: [Node]
    /// Index of the root node.
    public let root: Int

    /// Decomposes `graph`; nil when it is not series-parallel.
    public init?(graph: WorkflowGraph) {
        var nodes: [Node] = []
        struct Edge {
            var from: Int
            var to: Int
            var node: Int
            var alive = true
        }
        var edges: [Edge] = []
        let n = graph.count
        var outgoing = [[Int]](repeating: [], count: 2 * n)
        var incoming = [[Int]](repeating: [], count: 2 * n)
        func addEdge(_ from: Int, _ to: Int, _ node: Int) {
            edges.append(Edge(from: from, to: to, node: node))
            outgoing[from].append(edges.count - 1)
            incoming[to].append(edges.count - 1)
        }
        func make(_ node: Node) -> Int {
            // Empty is the identity of both compositions.
            switch node {
            case .series(let a, let b), .parallel(let a, let b):
                if nodes[a] == .empty { return b }
                if nodes[b] == .empty { return a }
            default: break
            }
            nodes.append(node)
            return nodes.count - 1
        }
        let emptyNode = make(.empty)
        for v in 0..<n { addEdge(2 * v, 2 * v + 1, make(.step(v))) }
        for v in 0..<n { for u in graph.predecessors[v] { addEdge(2 * u + 1, 2 * v, emptyNode) } }
        let source = 2 * graph.start
        let sink = 2 * graph.end + 1

        var changed = true
        while changed {
            changed = false
            for x in 0..<(2 * n) {
                // Parallel reduction among x's outgoing edges.
                let live = outgoing[x].filter { edges[$0].alive }
                outgoing[x] = live
                var byTarget: [Int: Int] = [:]
                for e in live {
                    let target = edges[e].to
                    if let kept = byTarget[target] {
                        edges[kept].node = make(.parallel(edges[kept].node, edges[e].node))
                        edges[e].alive = false
                        changed = true
                    } else {
                        byTarget[target] = e
                    }
                }
                outgoing[x] = outgoing[x].filter { edges[$0].alive }
                incoming[x] = incoming[x].filter { edges[$0].alive }
                // Series reduction through x.
                if x != source, x != sink, incoming[x].count == 1, outgoing[x].count == 1 {
                    let a = incoming[x][0]
                    let b = outgoing[x][0]
                    let from = edges[a].from
                    let to = edges[b].to
                    let node = make(.series(edges[a].node, edges[b].node))
                    edges[a].alive = false
                    edges[b].alive = false
                    incoming[x] = []
                    outgoing[x] = []
                    addEdge(from, to, node)
                    changed = true
                }
            }
            for x in 0..<(2 * n) {
                outgoing[x] = outgoing[x].filter { edges[$0].alive }
                incoming[x] = incoming[x].filter { edges[$0].alive }
            }
        }
        let alive = edges.filter(\.alive)
        guard alive.count == 1, alive[0].from == source, alive[0].to == sink else { return nil }
        self.nodes = nodes
        self.root = alive[0].node
    }
}
