/// A candidate's `check`: what mkspy-check found in its source.
public struct CheckResult: Equatable, Sendable {
    public var ok: Bool
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.ok = !diagnostics.contains { $0.severity == .error }
        self.diagnostics = diagnostics
    }

    public var json: JSON { ["ok": .bool(ok), "diagnostics": .array(diagnostics.map(\.json))] }

    public init(json: JSON) {
        ok = json["ok"]?.boolValue ?? false
        diagnostics = (json["diagnostics"]?.arrayValue ?? []).compactMap(Diagnostic.init(json:))
    }
}

/// A candidate's `summary`, written by mkspy-score: the run over its examples, or why it was refused.
public struct Summary: Equatable, Sendable {
    /// False when mkspy-score refused the candidate (`diagnostics` says why): it is never scored.
    public var ok: Bool
    public var diagnostics: [Diagnostic] = []
    /// The metric's kind.
    public var metric: String?
    /// The mean score over its scored examples.
    public var mean: Double?
    public var scored = 0, errors = 0, pending = 0

    public init(metric: String?, mean: Double?, scored: Int, errors: Int, pending: Int) {
        self.ok = true; self.metric = metric; self.mean = mean; self.scored = scored; self.errors = errors; self.pending = pending
    }

    /// A refusal: the candidate cannot be run at all.
    public init(refusal: Diagnostic) { self.ok = false; self.diagnostics = [refusal] }

    public var json: JSON {
        guard ok else { return ["ok": false, "diagnostics": .array(diagnostics.map(\.json))] }
        return ["ok": true, "metric": metric.map(JSON.string) ?? .null, "mean": mean.map(JSON.double) ?? .null,
                "scored": .int(scored), "errors": .int(errors), "pending": .int(pending)]
    }

    public init(json: JSON) {
        ok = json["ok"]?.boolValue ?? false
        diagnostics = (json["diagnostics"]?.arrayValue ?? []).compactMap(Diagnostic.init(json:))
        metric = json["metric"]?.stringValue
        mean = json["mean"]?.doubleValue
        scored = json["scored"]?.intValue ?? 0
        errors = json["errors"]?.intValue ?? 0
        pending = json["pending"]?.intValue ?? 0
    }
}

/// A candidate's `evolve` marks: the train minibatches mkspy-evolve asked of it, which later
/// steps read back to judge and to propose.
public struct EvolveMarks: Equatable, Sendable {
    /// The train examples a child is judged on against its first parent (its gate).
    public var minibatch: [String]?
    /// The minibatches it was asked to run as a parent (or as a climbing child), one per child
    /// to propose from it.
    public var minibatches: [[String]]?

    public init(minibatch: [String]? = nil, minibatches: [[String]]? = nil) { self.minibatch = minibatch; self.minibatches = minibatches }

    public var json: JSON {
        var o = JSONObject()
        if let minibatch { o["minibatch"] = .array(minibatch.map(JSON.string)) }
        if let minibatches { o["minibatches"] = .array(minibatches.map { .array($0.map(JSON.string)) }) }
        return .object(o)
    }

    public init(json: JSON) {
        func ids(_ value: JSON?) -> [String]? { value?.arrayValue?.compactMap(\.stringValue) }
        minibatch = ids(json["minibatch"])
        minibatches = json["minibatches"]?.arrayValue?.map { ids($0) ?? [] }
    }
}
