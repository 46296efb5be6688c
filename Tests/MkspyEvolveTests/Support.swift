import MkspyCore
@testable import MkspyEvolve

/// Specs, candidates and a simulated scorer that the evolve tests share.
enum Fixture {
    static let oneStep = #"{"name": "route", "description": "Route a support message.", "types": {"Label": ["billing", "bug", "other"]}, "inputs": {"message": "str"}, "outputs": {"label": "Label"}, "operations": [{"name": "classify", "inputs": {"message": "str"}, "outputs": {"label": "Label"}, "instruction": "Route the message."}], "metric": {"kind": "exact", "field": "label"}}"#
    static let twoSteps = #"{"name": "route", "description": "Route a support message.", "types": {"Label": ["billing", "bug", "other"]}, "inputs": {"message": "str"}, "outputs": {"label": "Label"}, "operations": [{"name": "summarize", "inputs": {"message": "str"}, "outputs": {"summary": "str"}, "instruction": "Summarize."}, {"name": "classify", "inputs": {"summary": "str"}, "outputs": {"label": "Label"}, "instruction": "Classify."}], "metric": {"kind": "exact", "field": "label"}}"#

    static func spec(_ text: String = oneStep) -> Spec {
        guard case .object(let o)? = try? JSON.parse(Array(text.utf8)) else { fatalError("bad test spec") }
        let (spec, diagnostics) = validateSpec(o)
        precondition(!diagnostics.contains { $0.severity == .error }, "test spec invalid: \(diagnostics)")
        return spec
    }

    /// A candidate record with scores (example id → score) and extra members.
    static func record(_ candidate: Candidate, scores: [String: Double] = [:], extra: JSONObject = [:]) -> JSONObject {
        guard case .object(var o) = candidate.json else { fatalError() }
        var s = JSONObject()
        for key in scores.keys.sorted() {
            s[key] = ["score": .double(scores[key]!), "feedback": "ok", "prediction": [:], "error": nil,
                      "trace": [["module": .string(candidate.spec.operations[0].name), "inputs": ["message": .string("in \(key)")],
                                 "outputs": ["label": .string("out \(key)")]]],
                      "usage": ["lm_calls": 1, "cost": .double(0.001)]]
        }
        if !scores.isEmpty { o["scores"] = .object(s) }
        for (k, v) in extra { o[k] = v }
        return o
    }

    static func seed(_ spec: Spec = spec(), instruction: String? = nil) -> Candidate {
        var g = Genome(seed: spec)
        if let instruction { g.modules[spec.operations[0].name]!.instruction = instruction }
        return Candidate(spec: spec, genome: g)
    }

    static func child(of parent: Candidate, instruction: String, origin: String = "reflect") -> Candidate {
        var g = parent.genome
        g.modules[parent.spec.operations[0].name]!.instruction = instruction
        return Candidate(spec: parent.spec, genome: g, parents: [parent.id], origin: origin, generation: parent.generation + 1)
    }

    static func archive(_ records: [JSONObject]) -> Archive {
        var a = Archive()
        for r in records { a.add(r) }
        return a
    }
}

/// A deterministic stand-in for gen → check → score: an example is right when the module's
/// instruction names its keyword. It counts every (candidate, example) evaluation.
struct SimulatedScorer {
    /// Example id → the keyword whose rule it needs (empty: always right).
    let keywords: [String: String]
    var evaluations: [String: Int] = [:]

    func score(_ genome: Genome, _ example: String) -> Double {
        let keyword = keywords[example] ?? ""
        let text = genome.modules.values.map(\.instruction).joined(separator: " ")
        return keyword.isEmpty || text.contains("rule:\(keyword)") ? 1 : 0
    }

    /// Scores a record's `want` examples it has not been scored on, as mkspy-score does.
    mutating func run(_ record: JSON) -> JSONObject {
        guard case .object(var o) = record, let genome = o["genome"].flatMap(Genome.init(json:)) else { fatalError() }
        let id = o["id"]!.stringValue!
        var scores = o["scores"]?.objectValue ?? [:]
        for want in (o["want"]?.arrayValue ?? []).compactMap(\.stringValue) where scores[want]?["score"]?.doubleValue == nil {
            evaluations["\(id) \(want)", default: 0] += 1
            let s = score(genome, want)
            let keyword = keywords[want] ?? ""
            scores[want] = ["score": .double(s), "feedback": .string(s == 1 ? "right" : "wrong: rule:\(keyword)"),
                            "prediction": [:], "error": nil,
                            "trace": [["module": "classify", "inputs": ["message": .string(want)], "outputs": ["label": "other"]]],
                            "usage": ["lm_calls": 1]]
        }
        o["scores"] = .object(scores)
        o["want"] = nil
        o["check"] = ["ok": true, "diagnostics": []]
        return o
    }
}

/// A reflector that adds the rules the feedback names to the instruction, like the rules stand-in.
func rulesReflector(_ requests: [ReflectionRequest]) -> [String?] {
    requests.map { r in
        var text = r.instruction
        for e in r.json["examples"]?.arrayValue ?? [] {
            let feedback = e["feedback"]?.stringValue ?? ""
            if let range = feedback.range(of: "rule:") {
                let rule = "rule:" + feedback[range.upperBound...].prefix { $0 != " " }
                if !text.contains(rule) { text += " " + rule }
            }
        }
        return text
    }
}

/// Tests read written records as the next tool would: as JSON.
extension Candidate {
    subscript(key: String) -> JSON? { json[key] }
}

extension SimulatedScorer {
    mutating func run(_ candidate: Candidate) -> JSONObject { run(candidate.json) }
}
