import MkspyCore

/// One candidate of the archive: its latest record and the union of every score it was given.
public struct Entry: Sendable {
    public let id: String
    /// The latest record read for this id, without `scores`, `want` and `summary`.
    public var candidate: Candidate
    /// Example id → score entry: the union of every record's (a scored entry is never replaced).
    public var scores: Scores
    /// Whether its latest record says mkspy-check or mkspy-score refused the program.
    public var refused: Bool
    /// Where the id was first read (record number across all inputs): earlier means found earlier.
    public let firstSeen: Int
    /// The archive's metric calls when the id was first read: when it was proposed.
    public let foundAt: Int
    /// Example id → the archive's metric calls once that example's score was recorded: when
    /// each score was paid for, in the archive's own order.
    public var scoredAt: [String: Int] = [:]

    /// The score on an example, when it was scored (a null score, a transient failure, is not).
    public func score(_ example: String) -> Double? { scores[example]?.score }

    /// Whether every one of `ids` has a score.
    public func scored(_ ids: [String]) -> Bool { ids.allSatisfy { score($0) != nil } }

    /// The sum of scores over `ids` (unscored ones count 0).
    public func sum(_ ids: [String]) -> Double { ids.reduce(0) { $0 + (score($1) ?? 0) } }

    /// The mean score over `ids`; nil when `ids` is empty.
    public func mean(_ ids: [String]) -> Double? { ids.isEmpty ? nil : sum(ids) / Double(ids.count) }

    /// The train minibatches this candidate was asked to run as a parent (`evolve.minibatches`).
    public var minibatches: [[String]] { candidate.evolve?.minibatches ?? [] }

    /// The train minibatch this child is judged on against its first parent (`evolve.minibatch`).
    public var minibatch: [String]? { candidate.evolve?.minibatch }

    /// The record a step writes: the candidate without its scores (the archive has them, and
    /// mkspy-score adds only new ones, so each score is written once) and without its source
    /// and state (mkspy-gen renders the same bytes again, and the archive does not repeat it), `want`
    /// when given, and its `evolve.minibatches` replaced when given (a child keeps its minibatch).
    public func record(want: [String]?, minibatches: [[String]]? = nil) -> Candidate {
        var c = candidate
        c.source = nil
        c.state = nil
        c.check = nil
        c.want = want
        if let minibatches {
            var marks = c.evolve ?? EvolveMarks()
            marks.minibatches = minibatches
            c.evolve = marks
        }
        return c
    }

    /// The candidate with every score it was given (`--best`).
    public var withScores: Candidate {
        var c = candidate
        c.scores = scores.isEmpty ? nil : scores
        return c
    }

    /// The metric calls spent on this candidate: its scored examples.
    public var calls: Int { scoredAt.count }

    /// The archive's metric calls once every one of `ids` was scored; nil until then.
    public func scoredAt(all ids: [String]) -> Int? {
        ids.reduce(Optional(0)) { latest, id in latest.flatMap { l in scoredAt[id].map { max(l, $0) } } }
    }

    /// The LM cost of its scores, where the provider's prices are known.
    public var cost: Double { scores.values.reduce(0) { $0 + ($1.usage?.cost ?? 0) } }
}

/// Every candidate read, merged by id: the state of the search.
public struct Archive: Sendable {
    /// Entries by id.
    public private(set) var entries: [String: Entry] = [:]
    /// Records read that were not candidates, or could not be read as one.
    public private(set) var skipped = 0
    /// The metric calls spent so far: every scored (candidate, example) pair, as GEPA counts them.
    public private(set) var metricCalls = 0
    private var seen = 0

    public init() {}

    /// Takes examples out of every stored minibatch and gate: mkspy-score found them unusable,
    /// and a minibatch that asks for one again would never finish (nor would the loop).
    public mutating func leaveOut(_ examples: Set<String>) {
        guard !examples.isEmpty else { return }
        for id in entries.keys {
            guard var marks = entries[id]!.candidate.evolve else { continue }
            marks.minibatch = marks.minibatch?.filter { !examples.contains($0) }
            marks.minibatches = marks.minibatches?.map { $0.filter { !examples.contains($0) } }.filter { !$0.isEmpty }
            entries[id]!.candidate.evolve = marks
        }
    }

    /// Adds a record: a candidate is merged with what the archive has for its id (the union of
    /// scores; the latest record's other members win). Returns why a record is skipped: one
    /// of another kind, or a candidate record that cannot be read.
    @discardableResult
    public mutating func add(_ object: JSONObject) -> String? {
        guard object["kind"]?.stringValue == "candidate" else {
            skipped += 1
            let kind = object["kind"]?.stringValue.map { "a record of kind '\($0)'" } ?? "a record with no kind"
            return "\(kind), not a candidate" + (object["message"]?.stringValue.map { ": \($0)" } ?? "")
        }
        var latest: Candidate
        do { latest = try Candidate(json: object) } catch { skipped += 1; return error.message }
        let id = object["id"]?.stringValue ?? latest.id
        let scores = latest.scores ?? [:]
        let refused = latest.refused
        latest.scores = nil
        latest.want = nil
        latest.summary = nil
        seen += 1
        var entry = entries[id] ?? Entry(id: id, candidate: latest, scores: [:], refused: refused, firstSeen: seen, foundAt: metricCalls)
        for key in scores.keys.sorted() where entry.score(key) == nil {
            let value = scores[key]!
            guard value.isScored || entry.scores[key] == nil else { continue }
            entry.scores[key] = value
            if value.isScored {
                metricCalls += 1
                entry.scoredAt[key] = metricCalls
            }
        }
        entry.candidate = latest
        entry.refused = refused
        entries[id] = entry
        return nil
    }

    /// Entries in a fixed order (by when they were first read, then id), never hash order.
    public var ordered: [Entry] {
        entries.values.sorted { ($0.firstSeen, $0.id) < ($1.firstSeen, $1.id) }
    }

    /// The LM cost so far.
    public var cost: Double { entries.values.reduce(0) { $0 + $1.cost } }

    /// The `--max-calls` of the search's latest step, as its records say.
    public var lastMaxCalls: Int? {
        entries.values.compactMap(\.candidate.evolve).max { ($0.step ?? 0) < ($1.step ?? 0) }?.maxCalls
    }

    /// The ids of `id`'s ancestors (not itself), nearest first.
    public func ancestors(of id: String) -> [String] {
        var result = [String]()
        var queue = entries[id]?.candidate.parents ?? []
        var seenIDs = Set<String>()
        while !queue.isEmpty {
            let next = queue.removeFirst()
            guard seenIDs.insert(next).inserted else { continue }
            result.append(next)
            queue += entries[next]?.candidate.parents ?? []
        }
        return result
    }
}
