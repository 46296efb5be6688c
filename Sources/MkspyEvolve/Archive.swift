import MkspyCore

/// One candidate of the archive: its latest record and the union of every score it was given.
public struct Entry: Sendable {
    public let id: String
    /// The latest record read for this id, without `scores`, `want` and `summary`.
    public var candidate: Candidate
    /// Example id → the `scores` entry (score, feedback, prediction, trace, error, usage).
    public var scores: [String: JSON]
    /// Where the id was first read (record number across all inputs): earlier means found earlier.
    public let firstSeen: Int

    /// The score on an example, when it was scored (a null score, a transient failure, is not).
    public func score(_ example: String) -> Double? { scores[example]?["score"]?.doubleValue }

    /// Whether every one of `ids` has a score.
    public func scored(_ ids: [String]) -> Bool { ids.allSatisfy { score($0) != nil } }

    /// The sum of scores over `ids` (unscored ones count 0).
    public func sum(_ ids: [String]) -> Double { ids.reduce(0) { $0 + (score($1) ?? 0) } }

    /// The mean score over `ids`; nil when `ids` is empty.
    public func mean(_ ids: [String]) -> Double? { ids.isEmpty ? nil : sum(ids) / Double(ids.count) }

    /// Whether mkspy-check or mkspy-score refused the program: it will never be scored.
    public var failed: Bool {
        candidate.extra["check"]?["ok"]?.boolValue == false || candidate.extra["summary"]?["ok"]?.boolValue == false
    }

    /// The train minibatches this candidate was asked to run as a parent (`evolve.minibatches`).
    public var minibatches: [[String]] {
        (candidate.extra["evolve"]?["minibatches"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue) }
    }

    /// The train minibatch this child is judged on against its first parent (`evolve.minibatch`).
    public var minibatch: [String]? { candidate.extra["evolve"]?["minibatch"]?.arrayValue?.compactMap(\.stringValue) }

    /// The record to write: the candidate with every score and, when given, a new `want`.
    public func record(want: [String]?, evolve: JSON? = nil) -> JSON {
        var c = candidate
        if !scores.isEmpty {
            var o = JSONObject()
            for key in scores.keys.sorted() { o[key] = scores[key]! }
            c.extra["scores"] = .object(o)
        }
        if let want { c.extra["want"] = .array(want.map(JSON.string)) }
        if let evolve {  // merged into what the record has, so a child keeps its minibatch
            var o = c.extra["evolve"]?.objectValue ?? JSONObject()
            for (k, v) in evolve.objectValue ?? JSONObject() { o[k] = v }
            c.extra["evolve"] = .object(o)
        }
        return c.json
    }

    /// The metric calls spent on this candidate: its scored examples.
    public var calls: Int { scores.values.filter { $0["score"]?.doubleValue != nil }.count }

    /// The LM cost of its scores, where the provider's prices are known.
    public var cost: Double { scores.values.reduce(0) { $0 + ($1["usage"]?["cost"]?.doubleValue ?? 0) } }
}

/// Every candidate read, merged by id: the state of the search.
public struct Archive: Sendable {
    /// Entries by id.
    public private(set) var entries: [String: Entry] = [:]
    /// Records read that were not candidates, or could not be read as one.
    public private(set) var skipped = 0
    private var seen = 0

    public init() {}

    /// Adds a record: a candidate is merged with what the archive has for its id (the union of
    /// scores; the latest record's other members win). Returns an error message for a
    /// candidate record that cannot be read.
    @discardableResult
    public mutating func add(_ object: JSONObject) -> String? {
        guard object["kind"]?.stringValue == "candidate" else { skipped += 1; return nil }
        let candidate: Candidate
        do { candidate = try Candidate(json: object) } catch { skipped += 1; return error.message }
        let id = object["id"]?.stringValue ?? candidate.id
        var latest = candidate
        var scores = [String: JSON]()
        for (key, value) in object["scores"]?.objectValue ?? JSONObject() { scores[key] = value }
        for key in ["scores", "want", "summary", "id"] { latest.extra[key] = nil }
        seen += 1
        if var entry = entries[id] {
            for (key, value) in scores where value["score"]?.doubleValue != nil || entry.scores[key] == nil {
                if entry.score(key) == nil { entry.scores[key] = value }
            }
            entry.candidate = latest
            entries[id] = entry
        } else {
            entries[id] = Entry(id: id, candidate: latest, scores: scores, firstSeen: seen)
        }
        return nil
    }

    /// Entries in a fixed order (by when they were first read, then id), never hash order.
    public var ordered: [Entry] {
        entries.values.sorted { ($0.firstSeen, $0.id) < ($1.firstSeen, $1.id) }
    }

    /// The metric calls spent so far: every scored (candidate, example) pair, as GEPA counts them.
    public var metricCalls: Int { entries.values.reduce(0) { $0 + $1.calls } }

    /// The LM cost so far.
    public var cost: Double { entries.values.reduce(0) { $0 + $1.cost } }

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
