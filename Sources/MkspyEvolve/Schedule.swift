import MkspyCore

/// Where a candidate stands in the evaluation schedule.
public enum Status: Equatable, Sendable {
    /// Scored on every val example: it may be a parent.
    case complete
    /// Needs these examples scored next.
    case pending([String])
    /// Climbing on train: it proposes a child next, or waits for its child's verdict.
    case waiting
    /// Climbing on train with no failure on its minibatch: it runs this new minibatch next.
    case probing([String])
    /// Out of the race, and why.
    case dead(Verdict)
}

extension Status {
    /// Its name in `--explain` records and progress lines, and why.
    public var described: (name: String, why: String?) {
        switch self {
        case .complete: ("complete", nil)
        case .pending(let want): ("pending", "wants \(want.count) more example\(want.count == 1 ? "" : "s")")
        case .waiting: ("climbing", "beat its parent on train; its own child is proposed before any val")
        case .probing(let batch): ("probing", "no failure on train yet; runs \(batch.count) more train examples")
        case .dead(let verdict): (verdict.kind.rawValue, verdict.why)
        }
    }
}

/// Why a candidate is out of the race.
public struct Verdict: Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// mkspy-check or mkspy-score refused its program.
        case refused
        /// No better than its parent on its minibatch.
        case rejected
        /// Beaten on train by its own child before any val was paid (its child climbed on).
        case beaten
        /// Dropped at a val stage: it can no longer reach the frontier or the leader.
        case dropped
    }
    public let kind: Kind
    public let why: String

    init(_ kind: Kind, _ why: String) { self.kind = kind; self.why = why }
}

/// The evaluation schedule: where each candidate stands, the gate, probes, staged val and the
/// drop rule.
extension Evolver {
    /// Where `entry` stands. A seed runs on all of val. A child first runs its minibatch and must
    /// beat its parent there (sum strictly greater). A child that did, and whose own minibatch
    /// (run with its gate) shows a failure, climbs: it proposes a child of its own before any val
    /// is paid, and gives way to that child if the child beats it; a chain climbs at most
    /// `climb` links. The last winner runs val in stages, dropped at the end of a stage when
    /// `dropReason` says it can no longer matter.
    public func status(_ entry: Entry) -> Status {
        if entry.refused { return .dead(Verdict(.refused, "refused by mkspy-check or mkspy-score")) }
        let val = options.val
        if entry.scored(val) { return .complete }
        if entry.candidate.parents.isEmpty { return .pending(val.filter { entry.score($0) == nil }) }
        switch gate(entry) {
        case .none: return .pending(entry.minibatch!.filter { entry.score($0) == nil })
        case false?:
            let batch = entry.minibatch ?? []
            let parent = archive.entries[entry.candidate.parents[0]]
            return .dead(Verdict(.rejected, "no better than its parent on its minibatch (\(entry.sum(batch)) ≤ \(parent?.sum(batch) ?? 0))"))
        case true?: break
        }
        if isClimbing(entry) {
            let kids = children[entry.id] ?? []
            if kids.contains(where: { gate($0) == true }) { return .dead(Verdict(.beaten, "beaten by its own child on train before val")) }
            if kids.contains(where: { gate($0) == nil && !$0.refused }) { return .waiting }
            if kids.isEmpty, depth(entry) < options.climb, canClimb, !entry.minibatches.isEmpty {
                let missing = Array(Set(entry.minibatches.joined()).filter { entry.score($0) == nil }).sorted()
                if !missing.isEmpty { return .pending(missing) }
                if entry.minibatches.joined().contains(where: { entry.score($0)! < 1 }) { return .waiting }
                if let probe = probe(entry) { return .probing(probe) }
            }
        }
        var done = 0
        for size in stages where entry.scored(Array(valOrder.prefix(size))) { done = size }
        let evaluated = Array(valOrder.prefix(done))
        if done > 0, let reason = dropReason(entry, evaluated: evaluated) {
            return .dead(Verdict(.dropped, reason))
        }
        // No stage can drop a candidate sure of the frontier: it runs the rest of val at once.
        let next = done > 0 && isSureOfTheFrontier(entry, evaluated: evaluated) ? val.count : stages.first { $0 > done } ?? val.count
        return .pending(valOrder.prefix(next).filter { entry.score($0) == nil })
    }

    /// A child's verdict on its minibatch: true when it beat its first parent there, false when
    /// it did not (or was refused), nil while unscored. Merges and seeds pass.
    func gate(_ entry: Entry) -> Bool? {
        if entry.refused { return false }
        guard let parentID = entry.candidate.parents.first, entry.candidate.origin != Operator.merge.rawValue,
              let batch = entry.minibatch, !batch.isEmpty else { return true }
        guard entry.scored(batch) else { return nil }
        guard let parent = archive.entries[parentID] else { return true }
        return entry.sum(batch) > parent.sum(batch)
    }

    /// A further minibatch (of the gate's size) for a climbing candidate whose minibatches showed
    /// no failure, while it has run fewer than `probes` of them, its own first: train examples it
    /// has not run, hard ones for its lineage first. A failure found here costs a minibatch;
    /// going to val first costs a stage.
    func probe(_ entry: Entry) -> [String]? {
        let ran = Set(options.train.filter { entry.score($0) != nil })
        let gate = Set(entry.minibatch ?? [])
        guard ran.subtracting(gate).count < options.readSize + (options.probes - 1) * options.minibatch else { return nil }
        var rng = SeededRandom(["probe", String(options.seed), entry.id, String(ran.count)])
        let next = nextMinibatch(after: entry, excluding: ran, size: options.minibatch, rng: &rng)
        return next.isEmpty ? nil : next
    }

    /// Whether the budget left still pays for another link of a chain: a chain that climbs past
    /// it would end the run with its best link never run on val, and the seed as the best. It
    /// keeps two vals, and at least a link of every chain (its gate and its own minibatch) and
    /// then one val: with a small val set two vals are less than the links in flight, and the
    /// chains would climb to the end of the budget.
    var canClimb: Bool {
        guard let max = options.maxCalls else { return true }
        let links = options.children * (options.minibatch + options.readSize)
        return max - archive.metricCalls >= Swift.max(2 * options.val.count, links + options.val.count)
    }

    /// Whether a child is still on train: no val example run yet, and climbing is on.
    func isClimbing(_ entry: Entry) -> Bool {
        options.climb > 1 && !entry.candidate.parents.isEmpty && entry.candidate.origin != Operator.merge.rawValue
            && !options.val.contains { entry.score($0) != nil }
    }

    /// How many links of a train-only chain end at `entry` (1 for a child of a val-evaluated parent).
    func depth(_ entry: Entry) -> Int {
        var n = 1
        var current = entry
        while let p = current.candidate.parents.first, let parent = archive.entries[p], isClimbing(parent) {
            n += 1
            current = parent
            if n > 64 { break }
        }
        return n
    }

    /// Why a partly evaluated candidate can no longer matter, or nil when it may. S is the
    /// val examples it has run (a prefix of the run's val order), b(e) the frontier's best score
    /// on e, and L the leader (the best fully evaluated candidate). It stays while either
    ///   (a) it beats b(e) strictly on some e in S: it will be on the frontier, or
    ///   (b) it ties or beats b(e) on at least as many examples of S as L does, and its sum on
    ///       S plus 1.0 for every val example it has not run is at least L's total: it is on
    ///       track to tie the best on as many examples as L, and can still reach L's mean.
    /// Otherwise it is dropped and the rest of val is never run for it.
    public func dropReason(_ entry: Entry, evaluated: [String]) -> String? {
        guard let leader = best else { return nil }
        func wins(_ e: Entry) -> Int { evaluated.filter { e.score($0)! >= bestOnVal[$0]! }.count }
        if isSureOfTheFrontier(entry, evaluated: evaluated) { return nil }
        let (mine, theirs) = (wins(entry), wins(leader))
        if mine < theirs {
            return "best on \(mine) of the first \(evaluated.count) val examples, the leader on \(theirs)"
        }
        let total = leader.sum(options.val)
        let bound = entry.sum(evaluated) + Double(options.val.count - evaluated.count)
        if bound < total { return "cannot reach the leader's val total \(total) (at most \(bound))" }
        return nil
    }

    /// Whether `entry` beats every fully evaluated candidate on some val example of `evaluated`
    /// (rule (a) of `dropReason`): it will be on the frontier, whatever the rest of val gives.
    func isSureOfTheFrontier(_ entry: Entry, evaluated: [String]) -> Bool {
        evaluated.contains { id in bestOnVal[id].map { entry.score(id)! > $0 } ?? false }
    }
}

/// The cumulative stage sizes for `n` val examples: ⌈n/4⌉, ⌈n/2⌉, n, each rounded up to a
/// multiple of `jobs` (the examples mkspy-score runs at once: a smaller stage would take as
/// long), repeats removed.
public func stageSizes(_ n: Int, jobs: Int = 1) -> [Int] {
    var sizes = [Int]()
    for s in [(n + 3) / 4, (n + 1) / 2, n].map({ min(n, (($0 + jobs - 1) / jobs) * jobs) }) where s > 0 && !sizes.contains(s) {
        sizes.append(s)
    }
    return sizes
}

