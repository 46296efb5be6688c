import MkspyCore

/// What mkspy-evolve decided about each candidate, as records (`--explain`, `--frontier`):
/// readers such as the report draw these and re-derive nothing.
extension Evolver {
    /// The search as a whole, then every candidate in archive order.
    public func explained() -> [JSON] {
        let ranks = rankedComplete
        return [search] + entries.map { explain($0, rank: ranks[$0.id]) }
    }

    /// The `search` record: the train and val ids (val in file order; `val_given`: the size of
    /// the val set given when the budget cut it), what was spent of the budget, why the search
    /// stops if it does now, the frontier and the best.
    var search: JSON {
        [
            "kind": "search", "train": .array(options.train.map(JSON.string)), "val": .array(options.val.map(JSON.string)),
            "val_given": .int(valCut ?? options.val.count),
            "metric_calls": .int(archive.metricCalls), "max_calls": options.maxCalls.map(JSON.int) ?? .null,
            "cost": .double(archive.cost), "max_cost": options.maxCost.map(JSON.double) ?? .null,
            "stop": stopReason.map(JSON.string) ?? .null, "candidates": .int(entries.count),
            "frontier": .array(frontier.members.map { .string(frontier.ids[$0]) }), "best": best.map { .string($0.id) } ?? .null,
        ]
    }

    /// The fully evaluated candidates, best first (`rank` 1 is `best`).
    public func ranking() -> [JSON] {
        let ranks = rankedComplete
        return complete.sorted { ranks[$0.id]! < ranks[$1.id]! }.map { explain($0, rank: ranks[$0.id]) }
    }

    /// Rank by val mean (1 is the best), among fully evaluated candidates; ties as `best` breaks them.
    var rankedComplete: [String: Int] {
        let sorted = complete.sorted(by: ranksAbove)
        return Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1.id, $0 + 1) })
    }

    /// The `explain` record of one candidate: where it stands and why, its val mean over what it
    /// ran, when it was found, last scored and fully evaluated (in the archive's metric calls),
    /// whether it is on the frontier, its genome, and each example's score and feedback.
    func explain(_ entry: Entry, rank: Int?) -> JSON {
        let (name, why) = status(entry).described
        let ranVal = options.val.filter { entry.score($0) != nil }
        let members = Set(frontier.members.map { frontier.ids[$0] })
        var scores = JSONObject()
        for key in entry.scores.keys.sorted() {
            let e = entry.scores[key]!
            scores[key] = ["score": e.score.map(JSON.double) ?? .null, "feedback": .string(e.feedback)]
        }
        return [
            "kind": "explain", "id": .string(entry.id), "origin": .string(entry.candidate.origin),
            "parents": .array(entry.candidate.parents.map(JSON.string)), "generation": .int(entry.candidate.generation),
            "status": .string(name), "why": why.map(JSON.string) ?? .null,
            "val": ["mean": entry.mean(ranVal).map(JSON.double) ?? .null, "scored": .int(ranVal.count), "of": .int(options.val.count)],
            "calls": .int(entry.calls), "found_at": .int(entry.foundAt), "last_at": entry.scoredAt.values.max().map(JSON.int) ?? .null,
            "complete_at": entry.scoredAt(all: options.val).map(JSON.int) ?? .null,
            "frontier": .bool(members.contains(entry.id)), "best": .bool(rank == 1), "rank": rank.map(JSON.int) ?? .null,
            "minibatch": entry.minibatch.map { .array($0.map(JSON.string)) } ?? .null,
            "genome": entry.candidate.genome.json, "scores": .object(scores),
        ]
    }
}
