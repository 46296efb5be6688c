import MkspyCheck
import MkspyCore
import PythonSyntax

/// What mkspy-spec reads from a DSPy program: its spec (one operation per named
/// predictor) and the findings, errors and what static reading could not decide.
public struct ProgramReading: Sendable {
    public var spec: Spec
    public var diagnostics: [Diagnostic]

    /// The `spec` record mkspy-spec writes.
    public var record: JSON { spec.record(diagnostics: diagnostics) }
}

/// Reads a DSPy program's source statically (nothing of it is imported or run): the module
/// class (`className`, else the only `dspy.Module` subclass with `forward` that no other
/// such class of the file builds or derives from), `forward`'s parameters, and every
/// predictor `named_predictors()` would list, with its signature and instruction.
public func readProgram(_ bytes: [UInt8], path: String, className: String? = nil, metric: JSONObject? = nil) -> ProgramReading {
    let digest = sha256(bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    var reference = ProgramReference(path: absolutePath(path), className: className ?? "", sha256: digest)
    func failed(_ message: String, line: Int? = nil) -> ProgramReading {
        let spec = Spec(program: reference, name: className.map(snakeName) ?? "program", description: "", types: [],
                        inputs: [], outputs: [], predictors: [], metric: metric)
        return ProgramReading(spec: spec, diagnostics: [Diagnostic(SpecRule.program.rawValue, .error, message, line: line)])
    }
    let module: Node
    switch parseModule(bytes, filename: path) {
    case .success(let m): module = m
    case .failure(let e): return failed("syntax error: \(e.message)", line: e.lineno)
    }
    let reader = ProgramReader(module: module)
    // mkspy-score imports the file as a module of its own, its directory first on sys.path:
    // there a relative import has no package to be relative to.
    module.walk { node in
        if node.type == "ImportFrom", (node["level"]?.int ?? 0) > 0 {
            let from = String(repeating: ".", count: node["level"]?.int ?? 1) + (node.string("module") ?? "")
            reader.warn(node, "the relative import from \(from) (line \(node.lineno)) fails where mkspy-score imports the program (as a module of its own, its directory first on sys.path); import from the module by its name instead",
                        rule: .programUndecided)
        }
    }
    reader.directory = String(absolutePath(path).split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
    let classes = module.nodes("body").filter { $0.type == "ClassDef" }
    let programs = classes.filter { reader.program.isModule($0) && reader.inherited("forward", from: $0, skippingSelf: false) != nil }
    let names = programs.compactMap { $0.string("name") }
    let cls: Node
    if let className {
        guard let named = classes.last(where: { $0.string("name") == className }) else {
            return failed("no class \(className) in \(path)" + (names.isEmpty ? "" : "; its dspy.Module classes with forward: \(names.joined(separator: ", "))"))
        }
        guard programs.contains(where: { $0 === named }) else {
            return failed("class \(className) (line \(named.lineno)) is not a dspy.Module subclass with a forward method", line: Int(named.lineno))
        }
        cls = named
    } else {
        // A class another one builds or derives from is a part, not the program.
        let top = programs.filter { candidate in
            let name = candidate.string("name")
            return !programs.contains { other in other !== candidate && mentions(other, name) }
        }
        switch (programs.count, top.count) {
        case (0, _): return failed("\(path) has no dspy.Module subclass with a forward method")
        case (1, _): cls = programs[0]
        case (_, 1): cls = top[0]
        default:
            return failed("\(path) has \(programs.count) dspy.Module classes with forward (\(names.joined(separator: ", "))); name the program with --module")
        }
    }
    let name = cls.string("name") ?? ""
    reference.className = name

    var missing = [String]()
    let instance = reader.instantiate(cls, args: [], keywords: [], missing: &missing)
    if !missing.isEmpty {
        reader.warn(cls, "the constructor of \(name) needs arguments (\(missing.joined(separator: ", "))); mkspy-score will need --program-arg \(missing.map { "\($0)=…" }.joined(separator: " --program-arg ")), and static reading did not know their values",
                    rule: .programArguments)
    }
    var predictors = [Operation]()
    for (dspyName, value) in DSPyModules.namedParameters(instance) {
        switch value {
        case .predictor(let p):
            predictors.append(Operation(name: dspyName, strategy: p.strategy, instruction: p.signature?.instructions ?? "",
                                        inputs: p.signature?.inputs ?? [], outputs: p.signature?.outputs ?? [],
                                        site: PredictorSite(kind: p.kind, line: p.line)))
        case .parameter(let p):
            reference.fixedState[dspyName] = .object(p.state)
        default: break
        }
    }
    let forward = reader.inherited("forward", from: cls, skippingSelf: false)!.1
    let inputs = reader.inputs(of: forward)
    reference.optionalInputs = reader.defaulted(forward)
    let outputs = reader.outputs(of: forward, instance)
    if outputs == nil, metric?["field"] != nil {
        reader.warn(forward, "what forward returns is not read statically, so the metric's field is not checked against the program's outputs")
    }
    let description = reader.docstring(cls).map(cleandoc) ?? ""
    let spec = Spec(program: reference, name: snakeName(name), description: description, types: reader.types(),
                    inputs: inputs, outputs: outputs ?? [], predictors: predictors, metric: metric)
    let diagnostics = reader.diagnostics.enumerated()
        .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
    return ProgramReading(spec: spec, diagnostics: diagnostics)
}

/// Whether a class refers to the class `name` (builds it, derives from it).
private func mentions(_ cls: Node, _ name: String?) -> Bool {
    var found = false
    cls.walk { n in if n.type == "Name", n.string("id") == name { found = true } }
    return found
}

extension ProgramReader {
    /// `forward`'s parameters, `self` aside; an unannotated one has type `Any`.
    func inputs(of forward: Node) -> [Field] {
        guard let a = forward.node("args") else { return [] }
        let parameters = Array((a.nodes("posonlyargs") + a.nodes("args")).dropFirst()) + a.nodes("kwonlyargs")
        for (stars, rest) in [("*", a.node("vararg")), ("**", a.node("kwarg"))] {
            guard let rest else { continue }
            warn(forward, "forward takes \(stars)\(rest.string("arg") ?? ""): the program's inputs beyond its named parameters are not known statically")
        }
        return parameters.map { Field(name: $0.string("arg") ?? "", type: $0.node("annotation").map(typeText) ?? "Any") }
    }

    /// The parameters of `forward` that have a default value.
    func defaulted(_ forward: Node) -> [String] {
        guard let a = forward.node("args") else { return [] }
        let positional = a.nodes("posonlyargs") + a.nodes("args")
        var names = positional.suffix(a.nodes("defaults").count).compactMap { $0.string("arg") }
        if case .list(let defaults)? = a["kw_defaults"] {
            for (parameter, value) in zip(a.nodes("kwonlyargs"), defaults) where value.node != nil {
                names += [parameter.string("arg")].compactMap { $0 }
            }
        }
        return names
    }

    /// The fields of what `forward` returns last: a predictor's outputs (`return
    /// self.generate(...)`, or a name assigned from such a call), or the keywords of
    /// `dspy.Prediction(...)`; nil when static reading cannot tell.
    func outputs(of forward: Node, _ instance: Instance) -> [Field]? {
        var returned: Node?
        var assigned = [String: Node]()
        forward.forEachStatement { s in
            if s.type == "Return", let v = s.node("value") { returned = v }
            if s.type == "Assign", s.nodes("targets").count == 1, let t = s.nodes("targets").first, t.type == "Name",
               let v = s.node("value") { assigned[t.string("id")!] = v }
        }
        guard var value = returned else { return nil }
        if value.type == "Name", let id = value.string("id"), let v = assigned[id] { value = v }
        if value.type == "Await", let inner = value.node("value") { value = inner }
        guard value.type == "Call", let f = value.node("func") else { return nil }
        if program.dspyName(f) == "Prediction" {
            let keys = value.nodes("keywords").map { $0.string("arg") }
            guard value.nodes("args").isEmpty, keys.allSatisfy({ $0 != nil }) else { return nil }
            return keys.map { Field(name: $0!, type: "Any") }
        }
        var receiver = f
        if f.type == "Attribute", ["acall", "forward", "aforward"].contains(f.string("attr") ?? ""), let inner = f.node("value") { receiver = inner }
        guard receiver.type == "Attribute", receiver.node("value")?.type == "Name", let attr = receiver.string("attr") else { return nil }
        var outputs: [Field]?
        switch instance[attr] {
        case .predictor(let p)?: outputs = p.signature?.outputs
        case .module(let m)? where m.className == "ChainOfThought":
            // Its reasoning (prepended to the outputs) is the LM's, never a label in the data.
            if case .predictor(let p)? = m["predict"] { outputs = p.signature.map { Array($0.outputs.dropFirst()) } }
        default: break
        }
        return outputs?.map { Field(name: $0.name, type: $0.type) }
    }

    /// The file's classes and aliases that field annotations use: pydantic models as record
    /// types, enums as enumerations, aliases as aliases.
    func types() -> [(name: String, definition: TypeDefinition)] {
        var result = [(name: String, definition: TypeDefinition)]()
        var i = 0
        while i < referencedTypes.count {  // typeText may add the types a type uses
            let name = referencedTypes[i]
            i += 1
            if let cls = program.classes[name], program.kind(of: cls) == .other || program.kind(of: cls) == .unknown {
                if cls.nodes("bases").contains(where: { program.qualified($0)?.hasPrefix("enum.") == true }) {
                    let values = cls.nodes("body").compactMap { $0.type == "Assign" ? $0.node("value")?.stringConstant : nil }
                    result.append((name, .enumeration(values)))
                    continue
                }
                var fields = [Field]()
                for statement in cls.nodes("body") where statement.type == "AnnAssign" {
                    guard let t = statement.node("target"), t.type == "Name", let annotation = statement.node("annotation") else { continue }
                    let desc = statement.node("value").flatMap { $0.type == "Call" ? $0.keyword("description")?.stringConstant : nil } ?? ""
                    fields.append(Field(name: t.string("id")!, type: typeText(annotation), desc: desc))
                }
                result.append((name, .record(fields)))
            } else if let alias = program.typeAliases[name] {
                result.append((name, .alias(typeText(alias))))
            }
        }
        return result
    }
}
