import MkspyCore

/// The per-example Pareto frontier on val, as GEPA keeps it.
///
/// For every val example, its front is the set of candidates with the best score on it
/// (ties included). A candidate is *dominated* when every front it belongs to also holds
/// another candidate that is not dominated; dominated candidates are removed one at a time,
/// lowest mean first (GEPA's `remove_dominated_programs`). A parent is then drawn with
/// probability proportional to the number of fronts it is in.
public struct Frontier: Sendable, Equatable {
    /// Candidate ids in the order given (earliest first).
    public let ids: [String]
    /// Per val example: the indices (into `ids`) of the candidates with its best score.
    public let fronts: [[Int]]
    /// Per val example: the best score.
    public let best: [Double]
    /// Indices of the candidates that survive domination, in `ids` order.
    public let members: [Int]
    /// How many fronts each member is in, after dominated candidates are removed.
    public let weights: [Int]

    /// Builds the frontier of candidates whose val scores are `scores[i][e]` (same example
    /// order for all).
    public init(ids: [String], scores: [[Double]]) {
        self.ids = ids
        let examples = scores.first?.count ?? 0
        var fronts = [[Int]](), best = [Double]()
        for e in 0..<examples {
            let top = scores.map { $0[e] }.max() ?? 0
            best.append(top)
            fronts.append(scores.indices.filter { scores[$0][e] == top })
        }
        self.fronts = fronts
        self.best = best

        let means = scores.map { $0.isEmpty ? 0 : $0.reduce(0, +) / Double($0.count) }
        var alive = Set(fronts.flatMap { $0 })
        // Lowest mean first; ties by order given, so the earliest of equals is kept longest.
        let order = alive.sorted { (means[$0], -$0) < (means[$1], -$1) }
        var removed = true
        while removed {
            removed = false
            for y in order where alive.contains(y) {
                let dominated = fronts.allSatisfy { front in
                    !front.contains(y) || front.contains { $0 != y && alive.contains($0) }
                }
                if dominated {
                    alive.remove(y)
                    removed = true
                    break
                }
            }
        }
        members = alive.sorted()
        weights = members.map { m in fronts.filter { $0.contains(m) }.count }
    }

    /// A member drawn with probability proportional to its weight.
    public func sample(_ rng: inout SeededRandom) -> String? {
        let total = weights.reduce(0, +)
        guard total > 0 else { return nil }
        var pick = rng.int(below: total)
        for (m, w) in zip(members, weights) {
            if pick < w { return ids[m] }
            pick -= w
        }
        return nil
    }
}

