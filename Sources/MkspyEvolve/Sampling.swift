import MkspyCore

/// The sampling of parents' minibatches and of seeds: which train examples a parent, a
/// climbing child or a probe runs, hard ones first.
extension Evolver {
    /// A parent while no candidate has run all of val: a seed, uniformly. Seeds are the first
    /// parents, and run their first minibatch before their val is done, so that the first
    /// reflection need not wait for val.
    func drawSeed(_ rng: inout SeededRandom) -> String? {
        guard frontier.members.isEmpty else { return nil }
        let seeds = entries.filter { $0.candidate.parents.isEmpty && !$0.refused }
        return seeds.isEmpty ? nil : seeds[rng.int(below: seeds.count)].id
    }

    /// A child's gate: the first `minibatch` of what its parent's reflection read, the parent's
    /// failures first.
    func gate(of read: [String], _ parent: Entry) -> [String] {
        Array(read.sorted { (parent.score($0) ?? 1, $0) < (parent.score($1) ?? 1, $1) }.prefix(options.minibatch)).sorted()
    }

    /// `count` minibatches of `readSize` train ids for a parent (disjoint while train has room), hard examples first:
    /// those it is known to fail (free, and what reflection learns from), then those its nearest
    /// ancestor that ran them failed, then those no one in its lineage ran, then the rest; each
    /// group in a seeded order. One minibatch, for a parent that failed at least a gate's worth
    /// no reflection read, is just those failures.
    func minibatches(for parent: Entry, count: Int, rng: inout SeededRandom) -> [[String]] {
        var pool = hardFirst(parent, excluding: [], rng: &rng)
        guard !pool.isEmpty else { return [] }
        var size = min(options.readSize, pool.count)
        // Enough failures of its own that no reflection read, to gate a child on: read those,
        // with no pass to run unseen examples first.
        let known = Array(pool.prefix { parent.score($0).map { $0 < 1 } ?? false }.prefix(size))
        if count == 1, known.count >= options.minibatch { (pool, size) = (known, known.count) }
        return (0..<count).map { k in (0..<size).map { pool[(k * size + $0) % pool.count] } }.map { Array(Set($0)).sorted() }
    }

    /// Train ids ordered for probing a candidate's lineage: by the score of the nearest member of
    /// `[parent] + ancestors` that ran each one, failures first (those no reflect child of the parent was
    /// proposed from before the others), then unseen, then successes.
    func hardFirst(_ parent: Entry, excluding: Set<String>, rng: inout SeededRandom) -> [String] {
        let lineage = [parent] + archive.ancestors(of: parent.id).compactMap { archive.entries[$0] }
        let used = Set((children[parent.id] ?? []).filter { $0.candidate.origin == Operator.reflect.rawValue }.flatMap { $0.minibatch ?? [] })
        var failed = [String](), reflected = [String](), unseen = [String](), right = [String]()
        for id in options.train where !excluding.contains(id) {
            switch lineage.lazy.compactMap({ $0.score(id) }).first {
            case let s? where s < 1: if used.contains(id) { reflected.append(id) } else { failed.append(id) }
            case nil: unseen.append(id)
            default: right.append(id)
            }
        }
        // Failures a child was already proposed from come after unseen examples: reflecting on
        // the same failures again mostly proposes the same instruction again.
        return rng.shuffled(failed) + rng.shuffled(unseen) + rng.shuffled(reflected) + rng.shuffled(right)
    }

    /// `size` train examples outside `excluding`, hard ones for the lineage first (see
    /// `hardFirst`): a climbing child's own minibatch, run with its gate, or a probe.
    func nextMinibatch(after parent: Entry, excluding: Set<String>, size: Int, rng: inout SeededRandom) -> [String] {
        Array(hardFirst(parent, excluding: excluding, rng: &rng).prefix(size)).sorted()
    }
}
