import MkspyCore
import PythonSyntax

/// Conformance of a candidate's source to its spec and genome (CONF rules).
extension Checker {
    /// A signature found in the program: a class, or a string given to a predictor.
    struct FoundSignature {
        let name: String
        let fields: [SignatureField]
        let node: Node
        var inputs: [SignatureField] { fields.filter(\.isInput) }
        var outputs: [SignatureField] { fields.filter { !$0.isInput } }
    }

    mutating func checkConformance(_ candidate: Candidate) {
        let spec = candidate.spec
        var signatures = [FoundSignature]()
        for cls in program.classOrder where program.isSignature(cls) {
            signatures.append(FoundSignature(name: cls.string("name")!, fields: program.fields(of: cls), node: cls))
        }
        // Predictors: `self.<attr> = dspy.<Strategy>(<signature>)`, with the signature they use.
        var predictors = [(attr: String, strategy: String, signature: FoundSignature?, call: Node)]()
        for n in program.assignments {
            guard n.type == "Assign", let value = n.node("value"), value.type == "Call", let f = value.node("func"),
                  let name = program.dspyName(f), Self.signatureTaking.contains(name), name != "Signature",
                  let target = n.nodes("targets").first, let attr = program.dotted(target) else { continue }
            var signature: FoundSignature?
            if let arg = value.argument(0, "signature") {
                if arg.type == "Name", let id = arg.string("id") {
                    signature = signatures.first { $0.name == id }
                } else if let text = arg.stringConstant, case .success(let items) = StringSignature.parse(text) {
                    let fields = items.map { SignatureField(name: $0.name, isInput: $0.isInput, annotationText: $0.type ?? "str", node: arg) }
                    signature = FoundSignature(name: "\"\(text)\"", fields: fields, node: arg)
                    signatures.append(signature!)
                }
            }
            predictors.append((String(attr.split(separator: ".").last!), name, signature, value))
        }
        // The program class: named as mkspy-gen names it, else the last module.
        let classes = GeneratedNames.classes(spec)
        let modules = program.classOrder.filter(program.isModule)
        let main = modules.first { $0.string("name") == classes.program } ?? modules.last
        let anchor = main ?? program.module.nodes("body").first ?? program.module

        for op in spec.operations {
            let className = classes.signatures[op.name]!, camel = GeneratedNames.className(op.name)
            let names = Set(op.inputs.map(\.name)), outputs = Set(op.outputs.map(\.name))
            let sig = signatures.first { $0.name == className }
                ?? signatures.first { [camel, camel + "Signature", camel + "Sig"].contains($0.name) }
                ?? predictors.first { $0.attr == op.name }?.signature
                ?? signatures.first { Set($0.inputs.map(\.name)) == names && Set($0.outputs.map(\.name)) == outputs }
            guard let sig else {
                report(.missingSignature, anchor, "no signature for operation '\(op.name)'; declare 'class \(className)(dspy.Signature)' with its fields")
                continue
            }
            compareFields(sig.inputs, op.inputs, "input", op.name, sig, spec)
            compareFields(sig.outputs, op.outputs, "output", op.name, sig, spec)
            if let strategy = candidate.genome.modules[op.name]?.strategy,
               let predictor = predictors.first(where: { $0.signature?.node === sig.node }) {
                let expected = ["predict": "Predict", "cot": "ChainOfThought", "react": "ReAct"][strategy.rawValue]!
                if predictor.strategy != expected {
                    report(.strategy, predictor.call, "operation '\(op.name)' uses dspy.\(predictor.strategy) but the genome's strategy is \(strategy.rawValue) (dspy.\(expected))")
                }
            }
        }

        guard let main else { return }
        let defs = ["forward", "aforward"].compactMap { program.method(main, $0) }
        for def in defs {
            checkParameters(def, spec)
            checkReturnedOutputs(def, spec, signatures: signatures, predictors: predictors.map { ($0.attr, $0.signature) })
        }
    }

    mutating func compareFields(_ found: [SignatureField], _ declared: [Field], _ side: String, _ op: String,
                                _ sig: FoundSignature, _ spec: Spec) {
        let foundNames = found.map(\.name), declaredNames = declared.map(\.name)
        let missing = declaredNames.filter { !foundNames.contains($0) }
        let extra = foundNames.filter { !declaredNames.contains($0) }
        if !missing.isEmpty || !extra.isEmpty {
            var parts = [String]()
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("not in the spec: \(extra.joined(separator: ", "))") }
            report(.fieldNames, sig.node, "signature \(sig.name) of operation '\(op)': \(side) fields differ from the spec (\(parts.joined(separator: "; ")))")
        }
        for field in found {
            guard let want = declared.first(where: { $0.name == field.name }) else { continue }
            let expected = TypeCanon.spec(want.type, spec)
            let actual: String
            if let annotation = field.annotation {
                actual = TypeCanon.source(annotation, program)
            } else if let text = field.annotationText {
                actual = TypeCanon.source(text: text, program)
            } else {
                actual = "str"
            }
            if actual != expected, actual != TypeCanon.source(text: want.type, program) {
                report(.fieldType, field.annotation ?? field.node, "\(side) field '\(field.name)' of operation '\(op)' has type \(actual); the spec says \(want.type)")
            }
        }
    }

    /// forward's parameters are the program inputs.
    mutating func checkParameters(_ def: Node, _ spec: Spec) {
        guard let args = def.node("args") else { return }
        let params = (args.nodes("posonlyargs") + args.nodes("args") + args.nodes("kwonlyargs")).compactMap { $0.string("arg") }.filter { $0 != "self" }
        let expected = spec.inputs.map(\.name)
        if Set(params) != Set(expected), args.node("kwarg") == nil || !Set(expected).isSuperset(of: params) {
            report(.forwardParameters, def, "\(def.string("name")!)(self, \(params.joined(separator: ", "))) should take the program inputs: \(expected.joined(separator: ", "))")
        }
    }

    /// Every `return` in forward gives a dspy.Prediction carrying the program outputs.
    mutating func checkReturnedOutputs(_ def: Node, _ spec: Spec, signatures: [FoundSignature], predictors: [(String, FoundSignature?)]) {
        var assigned = [String: Node]()
        var returns = [Node]()
        def.forEachStatement { s in
            if s.type == "Assign", let value = s.node("value") {
                for t in s.nodes("targets") where t.type == "Name" { assigned[t.string("id")!] = value }
            }
            if s.type == "Return", s.node("value") != nil { returns.append(s) }
        }
        let wanted = spec.outputs.map(\.name)
        for r in returns {
            var value = r.node("value")!
            if value.type == "Name", let v = assigned[value.string("id")!] { value = v }
            if value.type == "Await", let inner = value.node("value") { value = inner }
            guard value.type == "Call", let f = value.node("func") else { continue }
            let carried: [String]
            if program.dspyName(f) == "Prediction" {
                if value.nodes("keywords").contains(where: { $0.string("arg") == nil }) || !value.nodes("args").isEmpty { continue }
                carried = value.nodes("keywords").compactMap { $0.string("arg") }
            } else if let d = program.dotted(f), d.hasPrefix("self.") {
                let attr = d.split(separator: ".").dropFirst().first.map(String.init) ?? ""
                guard let sig = predictors.first(where: { $0.0 == attr })?.1 else { continue }
                carried = sig.outputs.map(\.name)
            } else { continue }
            let missing = wanted.filter { !carried.contains($0) }
            if !missing.isEmpty {
                report(.outputsNotReturned, r, "the returned prediction lacks the program output\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")); return dspy.Prediction(\(wanted.map { "\($0)=…" }.joined(separator: ", ")))")
            }
        }
    }
}

/// Type annotations in one canonical text, so that the spec's `Money` and the source's
/// `Money` (an alias of `float`), or `Optional[int]` and `int | None`, compare equal.
enum TypeCanon {
    /// A spec type expression: aliases followed, enumerations as `Literal['a', 'b']`.
    static func spec(_ type: String, _ spec: Spec, depth: Int = 0) -> String {
        guard case .success(let expr) = TypeExpr.parse(type) else { return type }
        return render(expr, spec, depth)
    }

    static func render(_ e: TypeExpr, _ spec: Spec, _ depth: Int) -> String {
        switch e {
        case .primitive(let n): return n
        case .named(let n):
            guard depth < 32 else { return n }
            switch spec.definition(of: n) {
            case .alias(let t)?: return self.spec(t, spec, depth: depth + 1)
            case .enumeration(let values)?: return "Literal[\(values.map { "'\($0)'" }.joined(separator: ", "))]"
            default: return n
            }
        case .list(let t): return "list[\(render(t, spec, depth))]"
        case .dict(let t): return "dict[str, \(render(t, spec, depth))]"
        case .optional(let t): return "\(render(t, spec, depth)) | None"
        }
    }

    /// An annotation written as text (a string signature's type).
    static func source(text: String, _ program: Program) -> String {
        guard case .success(let m) = parseModule(Array(text.utf8)), let e = m.nodes("body").first?.node("value") else { return text }
        return source(e, program)
    }

    /// An annotation node, module-level type aliases followed.
    static func source(_ n: Node, _ program: Program, depth: Int = 0) -> String {
        func go(_ n: Node) -> String { source(n, program, depth: depth + 1) }
        guard depth < 32 else { return "?" }
        switch n.type {
        case "Name":
            let id = n.string("id") ?? ""
            if program.classes[id] == nil, let target = program.typeAliases[id] { return go(target) }
            return ["List": "list", "Dict": "dict"][id] ?? id
        case "Attribute":
            let attr = n.string("attr") ?? ""
            return ["List": "list", "Dict": "dict"][attr] ?? attr
        case "Constant":
            if let s = n.stringConstant { return "'\(s)'" }
            if case .constant(.none)? = n["value"] { return "None" }
            return "?"
        case "BinOp":
            guard let l = n.node("left"), let r = n.node("right") else { return "?" }
            return "\(go(l)) | \(go(r))"
        case "Tuple":
            return n.nodes("elts").map(go).joined(separator: ", ")
        case "Subscript":
            guard let base = n.node("value"), let index = n.node("slice") else { return "?" }
            let head = go(base)
            let inner = go(index)
            if head == "Optional" { return "\(inner) | None" }
            if head == "Union" { return inner.replacing(", ", with: " | ") }
            return "\(head)[\(inner)]"
        default: return "?"
        }
    }
}
