/// One example's entry in a candidate's `scores`: what mkspy-score found, and what
/// mkspy-evolve reflects on.
public struct ScoreEntry: Equatable, Sendable {
    /// In [0, 1]; nil when the example was not scored (a transient error: see `ErrorCode`).
    public var score: Double?
    /// What the metric said, or why there is no score.
    public var feedback: String
    /// The program's outputs (an object), or null when it failed.
    public var prediction: JSON
    /// Each predictor call of the run, in order.
    public var trace: [TraceStep]
    public var error: ScoreError?
    /// The LM usage of this example; nil when the worker could not say.
    public var usage: Usage?

    public init(score: Double?, feedback: String, prediction: JSON = .null, trace: [TraceStep] = [],
                error: ScoreError? = nil, usage: Usage? = nil) {
        self.score = score; self.feedback = feedback; self.prediction = prediction; self.trace = trace
        self.error = error; self.usage = usage
    }

    /// Whether the example counts as evaluated (and is never paid for again).
    public var isScored: Bool { score != nil }

    public var json: JSON {
        ["score": score.map(JSON.double) ?? .null, "feedback": .string(feedback), "prediction": prediction,
         "trace": .array(trace.map(\.json)), "error": error?.json ?? .null, "usage": usage?.json ?? .null]
    }

    /// Reads an entry; members that are missing or of the wrong type get their empty value.
    public init(json: JSON) {
        score = json["score"]?.doubleValue
        feedback = json["feedback"]?.stringValue ?? ""
        prediction = json["prediction"] ?? .null
        trace = (json["trace"]?.arrayValue ?? []).map(TraceStep.init(json:))
        error = json["error"].flatMap(ScoreError.init(json:))
        usage = json["usage"]?.objectValue.map { Usage(json: .object($0)) }
    }
}

/// One predictor call in a run of the program: its inputs and outputs, and (for a metric with
/// dspy.GEPA's five arguments) the metric's score and feedback for that predictor.
public struct TraceStep: Equatable, Sendable {
    /// The predictor's name, as `named_predictors()` gives it (`classify`, `answer.predict`).
    public var module: String
    public var signature: String
    public var inputs: JSON
    public var outputs: JSON
    public var score: Double?
    public var feedback: String?

    public init(module: String, signature: String = "", inputs: JSON, outputs: JSON, score: Double? = nil, feedback: String? = nil) {
        self.module = module; self.signature = signature; self.inputs = inputs; self.outputs = outputs
        self.score = score; self.feedback = feedback
    }

    /// Whether this call belongs to an operation's module: the predictor is named like the
    /// operation (`triage`), or sits inside it (`triage.predict`, `triage.extract.predict`).
    public func belongs(to module: String) -> Bool { self.module == module || self.module.hasPrefix(module + ".") }

    public var json: JSON {
        var o: JSONObject = ["module": .string(module), "signature": .string(signature), "inputs": inputs, "outputs": outputs]
        if let score { o["score"] = .double(score) }
        if let feedback { o["feedback"] = .string(feedback) }
        return .object(o)
    }

    public init(json: JSON) {
        self.init(module: json["module"]?.stringValue ?? "", signature: json["signature"]?.stringValue ?? "",
                  inputs: json["inputs"] ?? .null, outputs: json["outputs"] ?? .null,
                  score: json["score"]?.doubleValue, feedback: json["feedback"]?.stringValue)
    }
}

/// Why an example failed or was not scored.
public struct ScoreError: Equatable, Sendable {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) { self.code = code; self.message = message }

    public var json: JSON { ["code": .string(code.rawValue), "message": .string(message)] }

    /// Reads `{code, message}`; a code this version does not know is the program's failure.
    public init?(json: JSON) {
        guard json.objectValue != nil else { return nil }
        self.init(json["code"]?.stringValue.flatMap(ErrorCode.init(rawValue:)) ?? .program, json["message"]?.stringValue ?? "")
    }
}

/// A candidate's `scores`: example id → entry.
public typealias Scores = [String: ScoreEntry]

extension Dictionary where Key == String, Value == ScoreEntry {
    /// The `scores` object, keys sorted.
    public var json: JSON {
        var o = JSONObject()
        for key in keys.sorted() { o[key] = self[key]!.json }
        return .object(o)
    }

    /// Reads a `scores` object; nil for anything else.
    public init?(json: JSON) {
        guard let o = json.objectValue else { return nil }
        self.init()
        for (id, entry) in o { self[id] = ScoreEntry(json: entry) }
    }
}
