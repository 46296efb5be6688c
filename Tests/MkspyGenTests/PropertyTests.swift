import MkspyCore
import Testing

@testable import MkspyGen

/// Random valid specs all render to programs that run under DSPy.
@Suite(.serialized) struct PropertyTests {
    static let fieldNames = ["topic", "summary", "headline", "verdict", "score", "labels", "notes", "author",
                             "rating", "answer", "question", "country", "amount", "priority", "excerpt", "passage",
                             "title", "weights", "reviewer", "sources", "language", "deadline", "budget", "tally"]

    /// A random spec in user form: enums, records (over earlier types), aliases, and a flow
    /// of one to four operations whose inputs are bound by name to earlier fields.
    static func randomSpec(_ random: inout SeededRandom, index: Int) -> JSONObject {
        var types = JSONObject()
        var named = [String]()
        for (i, name) in ["Mood", "Level", "Color"].prefix(random.int(below: 4)).enumerated() {
            types[name] = .array((0..<(2 + random.int(below: 3))).map { .string("\(name.lowercased())_\(i)_\($0)") })
            named.append(name)
        }
        func typeExpression(_ depth: Int) -> String {
            let base = random.pick(["str", "int", "float", "bool"] + named + named)
            guard depth < 2 else { return base }
            switch random.int(below: 6) {
            case 0: return "list[\(typeExpression(depth + 1))]"
            case 1: return "dict[str, \(typeExpression(depth + 1))]"
            case 2: return "\(random.chance(50) ? "list[\(base)]" : base) | None"
            default: return base
            }
        }
        for name in ["Entry", "Detail"].prefix(random.int(below: 3)) {
            var fields = JSONObject()
            for field in ["title", "count", "comment", "weight"].prefix(1 + random.int(below: 4)) {
                fields[field] = random.chance(30) ? ["type": .string(typeExpression(1)), "desc": .string("the \(field)")]
                    : .string(typeExpression(1))
            }
            types[name] = .object(fields)
            named.append(name)
        }
        if random.chance(50) { types["Text"] = "str"; named.append("Text") }
        if random.chance(50) { types["Tags"] = "list[str]"; named.append("Tags") }

        var names = fieldNames
        func freshName() -> String { names.remove(at: random.int(below: names.count)) }
        var available = [(name: String, type: String)]()
        var inputs = JSONObject()
        for _ in 0..<(1 + random.int(below: 2)) {
            let field = (freshName(), typeExpression(0))
            inputs[field.0] = .string(field.1)
            available.append(field)
        }
        var operations = [JSON]()
        var produced = [(name: String, type: String)]()
        var usesTools = false
        for k in 0..<(1 + random.int(below: 4)) {
            var opInputs = JSONObject()
            for _ in 0..<(1 + random.int(below: 2)) {
                let field = random.pick(available)
                opInputs[field.name] = random.chance(30) ? ["type": .string(field.type), "desc": .string("the \(field.name)")] : .string(field.type)
            }
            var opOutputs = JSONObject()
            for _ in 0..<(1 + random.int(below: 2)) {
                let field = (freshName(), typeExpression(0))
                opOutputs[field.0] = .string(field.1)
                available.append(field)
                produced.append(field)
            }
            var op: JSONObject = ["name": .string("step_\(k)_of_\(index)"), "inputs": .object(opInputs), "outputs": .object(opOutputs),
                                  "instruction": .string("Do step \(k).")]
            let strategy = random.pick(["predict", "cot", "react"])
            op["strategy"] = .string(strategy)
            if strategy == "react" {
                op["tools"] = random.chance(50) ? ["find_note"] : ["find_note", "count_words"]
                usesTools = true
            }
            operations.append(.object(op))
        }
        var outputs = JSONObject()
        let last = produced.last!
        outputs[last.name] = .string(last.type)
        if random.chance(50) { let other = random.pick(produced); outputs[other.name] = .string(other.type) }
        var spec: JSONObject = ["name": .string("random_spec_\(index)"), "description": "A made-up spec.",
                                "types": .object(types), "inputs": .object(inputs), "outputs": .object(outputs),
                                "operations": .array(operations),
                                "metric": ["kind": "exact", "field": .string(last.name)]]
        if usesTools {
            spec["tools"] = ["find_note": ["module": "gen_tools", "doc": "Find a note."],
                             "count_words": ["module": "gen_tools", "doc": "Count words."]]
        }
        return spec
    }

    @Test func randomSpecsRunUnderDSPy() throws {
        var random = SeededRandom(seed: 20_261_121)
        var programs = [(Candidate, JSON)]()
        for index in 0..<40 {
            let object = Self.randomSpec(&random, index: index)
            var (spec, diagnostics) = validateSpec(object)
            let errors = diagnostics.filter { $0.severity == .error }
            #expect(errors.isEmpty, "spec \(index): \(errors.map { "\($0.path ?? ""): \($0.message)" }) in \(JSON.object(object).text)")
            if !errors.isEmpty { continue }
            spec.path = Support.fixtures + "/spec.json"
            let candidate = Candidate(spec: spec, genome: Genome(seed: spec))
            let options = RenderOptions(async: random.chance(50), stream: random.chance(50))
            programs.append((candidate, try Support.program(candidate, label: "random spec \(index)", options: options)))
        }
        try Support.runUnderDSPy(programs)
    }
}
