import Testing
@testable import MkspyCore

/// A spec as the generator builds it, before it is written as JSON.
struct GenSpec {
    enum Definition { case alias(String), enumeration([String]), record([(String, String)]) }
    struct GenField { var name: String; var type: String; var desc: String? }
    struct GenOp {
        var name: String
        var strategy: String?
        var inputs: [GenField]
        var outputs: [GenField]
        var signature: Bool
        var spacedTypes: Bool
        var tools: [String]?
        var instruction: String?
        var rawSignature: String? = nil
        var both = false
    }
    var name: String
    var types: [(String, Definition)]
    var inputs: [GenField]
    var outputs: [GenField]
    var ops: [GenOp]
    var tools: Bool
    var metric: JSON

    var json: JSON {
        var o = JSONObject()
        o["name"] = .string(name)
        o["description"] = "A generated task."
        var t = JSONObject()
        for (name, definition) in types {
            switch definition {
            case .alias(let s): t[name] = .string(s)
            case .enumeration(let values): t[name] = .array(values.map(JSON.string))
            case .record(let fields):
                var r = JSONObject()
                for (f, type) in fields { r[f] = .string(type) }
                t[name] = .object(r)
            }
        }
        if !types.isEmpty || name.hasSuffix("0") { o["types"] = .object(t) }
        o["inputs"] = Self.fields(inputs)
        o["outputs"] = Self.fields(outputs)
        if tools { o["tools"] = ["search": ["module": "mytools", "doc": "Search the web."]] }
        o["operations"] = .array(ops.map { op in
            var j = JSONObject()
            j["name"] = .string(op.name)
            if let s = op.strategy { j["strategy"] = .string(s) }
            if op.signature || op.both {
                j["signature"] = .string(op.rawSignature ?? Self.signature(op))
            }
            if !op.signature || op.both {
                j["inputs"] = Self.fields(op.inputs)
                j["outputs"] = Self.fields(op.outputs)
            }
            if let tools = op.tools { j["tools"] = .array(tools.map(JSON.string)) }
            if let i = op.instruction { j["instruction"] = .string(i) }
            return .object(j)
        })
        o["metric"] = metric
        return .object(o)
    }

    static func fields(_ fields: [GenField]) -> JSON {
        var o = JSONObject()
        for f in fields { o[f.name] = f.desc.map { ["type": .string(f.type), "desc": .string($0)] } ?? .string(f.type) }
        return .object(o)
    }

    static func signature(_ op: GenOp) -> String {
        func side(_ fields: [GenField]) -> String {
            fields.map { f in
                if f.type == "str", op.spacedTypes { return f.name }
                let type = op.spacedTypes
                    ? f.type.replacingOccurrences(of: "[", with: "[ ").replacingOccurrences(of: "]", with: " ]")
                        .replacingOccurrences(of: ", ", with: " ,  ")
                    : f.type
                return "\(f.name): \(type)"
            }.joined(separator: ", ")
        }
        return "\(side(op.inputs)) -> \(side(op.outputs))"
    }
}

/// Builds random valid specs whose names pass the naming lint.
struct SpecGenerator {
    var rng: SeededRandom
    static let typeNames = ["Ticket", "Order", "Customer", "Review", "Priority", "Address", "Product", "Shipment",
                            "Verdict", "Topic", "Evidence", "Claim", "Passage", "Headline", "Rating", "Region"]
    static let firstWords = ["customer", "product", "order", "ticket", "invoice", "article", "city", "author", "market", "weather"]
    static let secondWords = ["summary", "title", "rating", "category", "reason", "topic", "verdict", "price", "count", "score",
                              "label", "comment", "language", "country", "evidence", "claim", "caption", "priority", "status", "note"]
    static let verbs = ["extract", "classify", "summarize", "rank", "translate", "judge", "draft", "check"]
    static let primitives = ["str", "int", "float", "bool"]
    static let numeric: Set<String> = ["int", "float", "int | None", "float | None"]

    var fieldNames: [String] = []

    init(seed: UInt64) {
        rng = SeededRandom(seed: seed)
        fieldNames = Self.firstWords.flatMap { a in Self.secondWords.map { "\(a)_\($0)" } } + Self.secondWords
    }

    mutating func freshField() -> String {
        let i = rng.int(below: fieldNames.count)
        return fieldNames.remove(at: i)
    }

    mutating func typeExpr(_ declared: [String]) -> String {
        var t = rng.pick(Self.primitives + declared)
        var optional = false
        for _ in 0..<rng.int(below: 3) {
            switch rng.int(below: 3) {
            case 0: t = "list[\(t)]"; optional = false
            case 1: t = "dict[str, \(t)]"; optional = false
            default: if !optional { t += " | None"; optional = true }
            }
        }
        return t
    }

    mutating func desc() -> String? { rng.chance(40) ? rng.pick(["what it says", "as written", "one sentence", ""]) : nil }

    mutating func spec(_ index: Int) -> GenSpec {
        fieldNames = Self.firstWords.flatMap { a in Self.secondWords.map { "\(a)_\($0)" } } + Self.secondWords
        var types = [(String, GenSpec.Definition)]()
        var declared = [String]()
        var names = Self.typeNames
        for _ in 0..<rng.int(below: 6) {
            let name = names.remove(at: rng.int(below: names.count))
            switch rng.int(below: 3) {
            case 0: types.append((name, .alias(typeExpr(declared))))
            case 1:
                var values = ["low", "high", "medium", "unknown", "other"]
                let count = 1 + rng.int(below: 4)
                var chosen = [String]()
                for _ in 0..<count { chosen.append(values.remove(at: rng.int(below: values.count))) }
                types.append((name, .enumeration(chosen)))
            default:
                var words = Self.secondWords
                var fields = [(String, String)]()
                for _ in 0..<(1 + rng.int(below: 3)) { fields.append((words.remove(at: rng.int(below: words.count)), typeExpr(declared))) }
                types.append((name, .record(fields)))
            }
            declared.append(name)
        }
        var inputs = [GenSpec.GenField]()
        for _ in 0..<(1 + rng.int(below: 3)) { inputs.append(.init(name: freshField(), type: typeExpr(declared), desc: desc())) }
        var bindings = inputs
        var consumed = Set<String>()
        var ops = [GenSpec.GenOp]()
        var tools = false
        for k in 0..<(1 + rng.int(below: 4)) {
            var pool = bindings
            var opInputs = [GenSpec.GenField]()
            for _ in 0..<(1 + rng.int(below: min(2, pool.count))) {
                var f = pool.remove(at: rng.int(below: pool.count))
                f.desc = desc()
                opInputs.append(f)
                consumed.insert(f.name)
            }
            var opOutputs = [GenSpec.GenField]()
            for _ in 0..<(1 + rng.int(below: 2)) { opOutputs.append(.init(name: freshField(), type: typeExpr(declared), desc: desc())) }
            bindings += opOutputs
            let strategy: String? = rng.pick([nil, "predict", "cot", "react"])
            if strategy == "react" { tools = true }
            ops.append(.init(name: "\(rng.pick(Self.verbs))_\(k + 1)", strategy: strategy, inputs: opInputs, outputs: opOutputs,
                             signature: rng.chance(50), spacedTypes: rng.chance(50),
                             tools: strategy == "react" ? ["search"] : nil,
                             instruction: rng.chance(70) ? "Do step \(k + 1) carefully." : nil))
        }
        for input in inputs where !consumed.contains(input.name) {
            ops[0].inputs.append(input)
            consumed.insert(input.name)
        }
        let outputs = ops.flatMap(\.outputs).filter { !consumed.contains($0.name) }.map {
            GenSpec.GenField(name: $0.name, type: $0.type, desc: desc())
        }
        let metric: JSON
        let numericOutputs = outputs.filter { Self.numeric.contains($0.type) }
        switch rng.int(below: 7) {
        case 0 where !numericOutputs.isEmpty:
            metric = ["kind": "numeric", "field": .string(rng.pick(numericOutputs).name), "tolerance": .number("0.\(rng.int(below: 10))")]
        case 1: metric = ["kind": "judge", "field": .string(rng.pick(outputs).name), "rubric": "Correct and complete."]
        case 2: metric = ["kind": "python", "path": "metric.py", "function": "metric"]
        default:
            let kind = JSON.string(rng.pick(["exact", "f1", "contains", "json"]))
            metric = outputs.count == 1 && rng.chance(50) ? ["kind": kind] : ["kind": kind, "field": .string(rng.pick(outputs).name)]
        }
        return GenSpec(name: "task_\(index)", types: types, inputs: inputs, outputs: outputs, ops: ops, tools: tools, metric: metric)
    }
}

/// One way to break a valid spec, and the rule that must then be reported as an error.
enum Mutation: CaseIterable {
    case unboundInput, typeMismatch, outputNotProduced, typeCycle, unresolvedType, shadowPrimitive, badStrategy,
         reactWithoutTools, signatureAndFields, malformedSignature, unknownMetricKind, duplicateOperation, rebinding,
         typeSyntax, specName, metricField, nameClash, emptyEnum, keywordField

    var rule: SpecRule {
        switch self {
        case .unboundInput: .unboundInput
        case .typeMismatch: .typeMismatch
        case .outputNotProduced: .outputNotProduced
        case .typeCycle: .typeCycle
        case .unresolvedType: .typeUnresolved
        case .shadowPrimitive: .typeShadows
        case .badStrategy: .strategy
        case .reactWithoutTools: .tools
        case .signatureAndFields: .signatureForm
        case .malformedSignature: .signatureSyntax
        case .unknownMetricKind: .metric
        case .duplicateOperation: .operationShape
        case .rebinding: .rebound
        case .typeSyntax: .typeSyntax
        case .specName: .specName
        case .metricField: .metricField
        case .nameClash: .nameClash
        case .emptyEnum: .typeDefinition
        case .keywordField: .fieldName
        }
    }

    func apply(to s: inout GenSpec, _ rng: inout SeededRandom) {
        let k = rng.int(below: s.ops.count)
        switch self {
        case .unboundInput:
            let j = rng.int(below: s.ops[k].inputs.count)
            s.ops[k].inputs[j].name = "missing_fact"
        case .typeMismatch:
            let j = rng.int(below: s.ops[k].inputs.count)
            s.ops[k].inputs[j].type = s.ops[k].inputs[j].type == "int" ? "str" : "int"
        case .outputNotProduced:
            let output = rng.pick(s.outputs).name
            for i in s.ops.indices { s.ops[i].outputs.removeAll { $0.name == output } }
        case .typeCycle:
            s.types += [("CycleA", .alias("list[CycleB]")), ("CycleB", .record([("loop", "CycleA | None")]))]
        case .unresolvedType:
            s.inputs[rng.int(below: s.inputs.count)].type = rng.pick(["UndeclaredThing", "list[UndeclaredThing]", "Undeclared | None"])
        case .shadowPrimitive:
            s.types.append((rng.pick(SpecGenerator.primitives), .alias("str")))
        case .badStrategy:
            s.ops[k].strategy = "reflect"
        case .reactWithoutTools:
            s.ops[k].strategy = "react"
            s.ops[k].tools = nil
        case .signatureAndFields:
            s.ops[k].both = true
        case .malformedSignature:
            s.ops[k].signature = true
            s.ops[k].rawSignature = GenSpec.signature(s.ops[k]).replacingOccurrences(of: "->", with: "=>")
        case .unknownMetricKind:
            s.metric = ["kind": "fuzzy", "field": .string(s.outputs[0].name)]
        case .duplicateOperation:
            if s.ops.count > 1 { s.ops[s.ops.count - 1].name = s.ops[0].name } else { s.ops.append(s.ops[0]) }
        case .rebinding:
            s.ops[k].outputs[0].name = rng.pick(s.inputs).name
        case .typeSyntax:
            s.inputs[rng.int(below: s.inputs.count)].type = rng.pick(["Optional[str]", "dict[int, str]", "str | int", "list[str"])
        case .specName:
            s.name = rng.pick(["Task Name", "TaskName", "for", "2task"])
        case .metricField:
            s.metric = ["kind": "exact", "field": "missing_answer"]
        case .nameClash:
            // Generated class names give way; a field DSPy or Pydantic reserves cannot.
            s.types.append(("Holder", .record([(rng.pick(["model_name", "signature", "demos"]), "str")])))
        case .emptyEnum:
            s.types.append(("EmptyChoice", .enumeration([])))
        case .keywordField:
            s.inputs[rng.int(below: s.inputs.count)].name = rng.pick(["lambda", "class", "from"])
        }
    }
}

@Suite("Random specs")
struct SpecPropertyTests {
    static let count = 300

    func describe(_ s: GenSpec, _ d: [Diagnostic]) -> String {
        s.json.text + "\n" + d.map { "\($0.rule) \($0.severity.rawValue) \($0.path ?? ""): \($0.message)" }.joined(separator: "\n")
    }

    @Test func randomValidSpecsHaveNoFindingsAndEveryMutationIsCaught() throws {
        var generator = SpecGenerator(seed: 0x6D6B_7370_79)
        var failures = 0
        var caught = [String: Int]()
        var signatureOps = 0, fieldOps = 0
        for i in 0..<Self.count {
            let valid = generator.spec(i)
            signatureOps += valid.ops.filter(\.signature).count
            fieldOps += valid.ops.filter { !$0.signature }.count
            let object = try #require(valid.json.objectValue)
            let (spec, d) = validateSpec(object)
            if !d.isEmpty, failures < 5 {
                failures += 1
                Issue.record("spec \(i) has findings:\n\(describe(valid, d))")
            }
            // Normalizing twice changes nothing.
            let record = spec.record(diagnostics: d)
            let again = validateSpec(try #require(try JSON.parse(record.text).objectValue))
            #expect(again.spec.record(diagnostics: again.diagnostics).text == record.text, "spec \(i)")

            let mutation = Mutation.allCases[i % Mutation.allCases.count]
            var broken = valid
            mutation.apply(to: &broken, &generator.rng)
            let bad = validateSpec(try #require(broken.json.objectValue)).diagnostics
            if bad.errors.contains(where: { $0.rule == mutation.rule.rawValue }) {
                caught["\(mutation)", default: 0] += 1
            } else if failures < 10 {
                failures += 1
                Issue.record("mutation \(mutation) of spec \(i) not reported as \(mutation.rule.rawValue):\n\(describe(broken, bad))")
            }
        }
        #expect(caught.count == Mutation.allCases.count, "\(caught)")
        #expect(signatureOps > 50 && fieldOps > 50, "\(signatureOps) signature ops, \(fieldOps) field ops")
    }

    @Test func generatorCoversTheTypeForms() throws {
        var generator = SpecGenerator(seed: 7)
        var text = ""
        for i in 0..<Self.count { text += generator.spec(i).json.text }
        for form in ["list[", "dict[str, ", " | None", "\"kind\":\"numeric\"", "\"strategy\":\"react\"", "\"signature\":",
                     "\"desc\":", "[\"", "-> "] {
            #expect(text.contains(form), "\(form)")
        }
    }
}
