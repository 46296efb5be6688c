import MkspyCore

/// The search at one point: the archive read whole, the options, and what follows from them
/// (the val order and stages, the frontier, the best). Each step is a pure function of it and
/// the reflector; its policies live in one file each (Schedule, Sampling, Proposal, Step).
public struct Evolver {
    public let archive: Archive
    public let options: EvolveOptions
    /// Val ids in the run's fixed evaluation order (a seeded shuffle): stages are its prefixes.
    public let valOrder: [String]
    /// The size of the val set given, when the budget cut it (`EvolveOptions.affordableVal`).
    public let valCut: Int?
    let valSet: Set<String>
    /// Cumulative stage sizes: a quarter, a half, then all of val (in whole rounds of `jobs`).
    public let stages: [Int]
    let entries: [Entry]
    let complete: [Entry]
    /// Children (not merges) by their first parent, in archive order.
    let children: [String: [Entry]]
    public let frontier: Frontier
    /// The frontier's best score per val id (none before a candidate has run all of val).
    let bestOnVal: [String: Double]

    public init(archive: Archive, options: EvolveOptions) {
        // An example mkspy-score found unusable (it lacks a field the task needs: error code
        // `data`) is left out: asking for it again would only fail again, and the loop would
        // never end. Every candidate shares the task, so one finding speaks for all.
        let unusable = Set(archive.entries.values.flatMap { $0.scores.filter { $0.value.error?.code == .data }.keys })
        var archive = archive
        archive.leaveOut(unusable)
        self.archive = archive
        var options = options
        options.train.removeAll { unusable.contains($0) }
        options.val.removeAll { unusable.contains($0) }
        // The val the budget keeps does not depend on --seed: what the search decided can be
        // read back with its budget alone (EvolveTool takes it from the archive).
        let given = options.val.count
        var any = SeededRandom(["val-cut"])
        let kept = Set(any.shuffled(options.val).prefix(options.affordableVal(given)))
        options.val.removeAll { !kept.contains($0) }
        valCut = options.val.count < given ? given : nil
        var rng = SeededRandom(["val-order", String(options.seed)])
        valOrder = rng.shuffled(options.val)
        self.options = options
        valSet = Set(options.val)
        stages = stageSizes(options.val.count, jobs: options.jobs)
        entries = archive.ordered
        let val = options.val
        complete = entries.filter { !val.isEmpty && $0.scored(val) }
        var children = [String: [Entry]]()
        for e in entries where e.candidate.origin != Operator.merge.rawValue {
            if let p = e.candidate.parents.first { children[p, default: []].append(e) }
        }
        self.children = children
        frontier = Frontier(ids: complete.map(\.id), scores: complete.map { e in val.map { e.score($0)! } })
        bestOnVal = Dictionary(uniqueKeysWithValues: zip(val, frontier.best))
    }

    /// The number of the step this one is: one more than the last step a record was written by.
    public var stepNumber: Int { (entries.compactMap { $0.candidate.evolve?.step }.max() ?? 0) + 1 }

    // MARK: Best and stopping

    /// The best fully evaluated candidate: highest mean val score; ties go to the earlier
    /// generation, then to the one read first (found with fewer metric calls).
    public var best: Entry? { complete.min(by: ranksAbove) }

    /// The `count` best fully evaluated candidates, best first, with val (`--finalists`; `--best`
    /// is the first); else the one the val race took farthest, with the val it ran.
    public func finalists(_ count: Int) -> [(entry: Entry, val: [String])] {
        let ranked = complete.sorted(by: ranksAbove).prefix(count).map { (entry: $0, val: options.val) }
        return ranked.isEmpty ? (farthest.map { [$0] } ?? []) : ranked
    }

    /// What `--best` names when no candidate has run all of val (the search ended first): the one
    /// the val race took farthest, the most val examples scored, then the higher mean on them,
    /// then the one read first; with the val ids it ran. Nil when none ran any.
    public var farthest: (entry: Entry, val: [String])? {
        entries.map { e in (entry: e, val: options.val.filter { e.score($0) != nil }) }
            .filter { !$0.val.isEmpty }
            .max { a, b in a.val.count != b.val.count ? a.val.count < b.val.count : (a.entry.mean(a.val) ?? 0) < (b.entry.mean(b.val) ?? 0) }
    }

    /// Whether fully evaluated `a` ranks above `b`: a higher val mean, else an earlier
    /// generation, else read first.
    func ranksAbove(_ a: Entry, _ b: Entry) -> Bool {
        let (ma, mb) = (a.mean(options.val) ?? 0, b.mean(options.val) ?? 0)
        if ma != mb { return ma > mb }
        return (a.candidate.generation, a.firstSeen) < (b.candidate.generation, b.firstSeen)
    }

    /// Why the search should stop now, if it should.
    public var stopReason: String? {
        let calls = archive.metricCalls
        if let max = options.maxCalls, calls >= max { return "budget spent: \(calls) metric calls of \(max)" }
        if let max = options.maxCost, archive.cost >= max { return "budget spent: $\(archive.cost) of $\(max)" }
        let bestMean = best.flatMap { $0.mean(options.val) }
        if let bestMean, bestMean >= (options.target ?? 1) { return "target reached: best val mean \(bestMean) ≥ \(options.target ?? 1)" }
        // Patience counts children settled since the best's val was complete, a generation
        // being --children of them: children rejected at their gate have no children of
        // their own, so the lineages' depth would not grow on a plateau.
        if let patience = options.patience, let best {
            let found = options.val.compactMap { best.scoredAt[$0] }.max() ?? 0
            let settled = entries.filter { entry in
                guard !entry.candidate.parents.isEmpty, entry.foundAt >= found else { return false }
                switch status(entry) {
                case .complete, .dead: return true
                default: return false
                }
            }.count
            if settled >= patience * options.children {
                return "no better val mean from the \(settled) children settled since the best (patience \(patience) generations of \(options.children))"
            }
        }
        return nil
    }
}
