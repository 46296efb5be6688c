/// A candidate's `check`: what mkspy-check found in its source.
public struct CheckResult: Equatable, Sendable {
    public var ok: Bool
    public var diagnostics: [Diagnostic]
    /// The SHA-256 (hex) of the source that was checked: a check holds for that source only.
    public var sourceSHA256: String?

    public init(diagnostics: [Diagnostic], source: [UInt8]?) {
        self.ok = !diagnostics.contains { $0.severity == .error }
        self.diagnostics = diagnostics
        self.sourceSHA256 = source.map(sourceHash)
    }

    /// Whether this check was made for `source` (a check without a hash proves nothing).
    public func covers(_ source: String) -> Bool { sourceSHA256 == sourceHash(Array(source.utf8)) }

    public var json: JSON {
        var o: JSONObject = ["ok": .bool(ok), "diagnostics": .array(diagnostics.map(\.json))]
        if let sourceSHA256 { o["source_sha256"] = .string(sourceSHA256) }
        return .object(o)
    }

    public init(json: JSON) {
        ok = json["ok"]?.boolValue ?? false
        diagnostics = (json["diagnostics"]?.arrayValue ?? []).compactMap(Diagnostic.init(json:))
        sourceSHA256 = json["source_sha256"]?.stringValue
    }
}

/// The hex SHA-256 of a program's source bytes, as `check.source_sha256` holds it.
public func sourceHash(_ source: [UInt8]) -> String { shortHash(source, digits: 64) }

/// A candidate's `summary`, written by mkspy-score: the run over its examples, or why it was refused.
public struct Summary: Equatable, Sendable {
    /// Scores over a set of examples.
    public struct Tally: Equatable, Sendable {
        /// The mean score over the scored examples.
        public var mean: Double?
        public var scored = 0, errors = 0, pending = 0

        /// The tally of `entries`; `pending` counts those without a score.
        public init(_ entries: [ScoreEntry]) {
            let scores = entries.compactMap(\.score)
            mean = scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count)
            scored = scores.count
            errors = entries.filter { $0.error != nil }.count
            pending = entries.count - scores.count
        }

        public var json: JSON {
            ["mean": mean.map(JSON.double) ?? .null, "scored": .int(scored), "errors": .int(errors), "pending": .int(pending)]
        }

        public init(json: JSON) {
            mean = json["mean"]?.doubleValue
            scored = json["scored"]?.intValue ?? 0
            errors = json["errors"]?.intValue ?? 0
            pending = json["pending"]?.intValue ?? 0
        }
    }

    /// False when mkspy-score refused the candidate (`diagnostics` says why): it is never scored.
    public var ok: Bool
    public var diagnostics: [Diagnostic] = []
    /// The metric's kind.
    public var metric: String?
    /// Over the examples this run was asked for (its `want`, else all of its data).
    public var run = Tally([])
    /// Per `--data` file, as given: over every example of the file the candidate has an entry
    /// for, so that train minibatches and val never mix.
    public var data: [String: Tally] = [:]

    public init(metric: String?, run: Tally, data: [String: Tally]) {
        self.ok = true; self.metric = metric; self.run = run; self.data = data
    }

    /// A refusal: the candidate cannot be run at all.
    public init(refusal: Diagnostic) { self.ok = false; self.diagnostics = [refusal] }

    /// `{ok, metric, mean, scored, errors, pending, data: {FILE: {mean, scored, errors, pending}}}`:
    /// the run's tally at the top, each file's below it.
    public var json: JSON {
        guard ok else { return ["ok": false, "diagnostics": .array(diagnostics.map(\.json))] }
        guard case .object(var o) = run.json else { return .null }
        o["ok"] = true
        o["metric"] = metric.map(JSON.string) ?? .null
        var files = JSONObject()
        for key in data.keys.sorted() { files[key] = data[key]!.json }
        o["data"] = .object(files)
        return .object(o)
    }

    public init(json: JSON) {
        ok = json["ok"]?.boolValue ?? false
        diagnostics = (json["diagnostics"]?.arrayValue ?? []).compactMap(Diagnostic.init(json:))
        metric = json["metric"]?.stringValue
        run = Tally(json: json)
        for (file, tally) in json["data"]?.objectValue ?? [:] { data[file] = Tally(json: tally) }
    }
}

/// A candidate's `evolve` marks: the train minibatches mkspy-evolve asked of it, which later
/// steps read back to judge and to propose, and (on the `--best` record) its val score.
public struct EvolveMarks: Equatable, Sendable {
    /// A val mean and the number of val examples behind it.
    public struct Val: Equatable, Sendable {
        public var mean: Double
        public var n: Int
        public init(mean: Double, n: Int) { self.mean = mean; self.n = n }
    }

    /// The train examples a child is judged on against its first parent (its gate).
    public var minibatch: [String]?
    /// The minibatches it was asked to run as a parent (or as a climbing child), one per child
    /// to propose from it.
    public var minibatches: [[String]]?
    /// Its mean over all of val, as `mkspy-evolve --best` writes it.
    public var val: Val?
    /// The step of the search that last wrote the record (1 for the first).
    public var step: Int?
    /// That step's `--max-calls` (it decides how much of val the search keeps).
    public var maxCalls: Int?

    public init(minibatch: [String]? = nil, minibatches: [[String]]? = nil, val: Val? = nil, step: Int? = nil, maxCalls: Int? = nil) {
        self.minibatch = minibatch; self.minibatches = minibatches; self.val = val; self.step = step; self.maxCalls = maxCalls
    }

    public var json: JSON {
        var o = JSONObject()
        if let minibatch { o["minibatch"] = .array(minibatch.map(JSON.string)) }
        if let minibatches { o["minibatches"] = .array(minibatches.map { .array($0.map(JSON.string)) }) }
        if let val { o["val"] = ["mean": .double(val.mean), "n": .int(val.n)] }
        if let step { o["step"] = .int(step) }
        if let maxCalls { o["max_calls"] = .int(maxCalls) }
        return .object(o)
    }

    public init(json: JSON) {
        func ids(_ value: JSON?) -> [String]? { value?.arrayValue?.compactMap(\.stringValue) }
        minibatch = ids(json["minibatch"])
        minibatches = json["minibatches"]?.arrayValue?.map { ids($0) ?? [] }
        if let mean = json["val"]?["mean"]?.doubleValue, let n = json["val"]?["n"]?.intValue { val = Val(mean: mean, n: n) }
        step = json["step"]?.intValue
        maxCalls = json["max_calls"]?.intValue
    }
}
