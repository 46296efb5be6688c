import PythonSyntax

extension Node {
    public func node(_ field: String) -> Node? { self[field]?.node }
    public func nodes(_ field: String) -> [Node] { self[field]?.nodes ?? [] }
    public func string(_ field: String) -> String? { self[field]?.string }

    /// The text of a `str` constant.
    public var stringConstant: String? {
        guard type == "Constant", case .constant(.str(let s))? = self["value"] else { return nil }
        return s
    }

    /// The keyword argument `name` of a call.
    public func keyword(_ name: String) -> Node? {
        nodes("keywords").first { $0.string("arg") == name }?.node("value")
    }

    /// The call's `index`th positional argument, or its keyword argument `name`.
    public func argument(_ index: Int, _ name: String) -> Node? {
        let args = nodes("args")
        if index < args.count, args[index].type != "Starred" { return args[index] }
        return keyword(name)
    }

    /// Statements directly in this node's blocks (body, orelse, handlers' bodies, …), not
    /// inside nested functions or classes, visited recursively.
    public func forEachStatement(_ visit: (Node) -> Void) {
        for field in ["body", "orelse", "finalbody", "handlers", "cases"] {
            for child in nodes(field) {
                if child.type == "ExceptHandler" || child.type == "match_case" {
                    child.forEachStatement(visit)
                    continue
                }
                visit(child)
                if child.type != "FunctionDef", child.type != "AsyncFunctionDef", child.type != "ClassDef" {
                    child.forEachStatement(visit)
                }
            }
        }
    }
}

/// What kind of class a base expression makes: a DSPy module, a signature, something else
/// known, or unknown (an imported class mkspy-check cannot see into).
public enum ClassKind { case module, predictor, signature, other, unknown }

/// The facts one pass over a module gathers: imports, bound names, classes, LM handles.
/// Every rule reads these; none of them runs anything.
public final class Program {
    let module: Node
    /// Local name → dotted name it stands for: `d` → `dspy`, `Module` → `dspy.Module`.
    public private(set) var aliases: [String: String] = [:]
    /// Whether `from x import *` appears: names may then come from anywhere.
    private(set) var starImport = false
    private(set) var importsDSPy = false
    /// Every name bound anywhere in the module (assignments, parameters, imports, defs, …).
    private(set) var bound: Set<String> = []
    /// Classes by name (the last definition wins), in source order.
    public private(set) var classes: [String: Node] = [:]
    private(set) var classOrder: [Node] = []
    /// Module-level `Name = <type expression>` assignments, for type aliases.
    public private(set) var typeAliases: [String: Node] = [:]
    /// Every call, in source order.
    private(set) var calls: [Node] = []
    /// Every assignment (`Assign`, `AnnAssign`, `NamedExpr`), in source order.
    private(set) var assignments: [Node] = []
    /// Functions named `__call__`, `acall` or `call`: where a module calls its own forward.
    private(set) var callMethods: [Node] = []
    /// Whether any attribute is named `choices` (raw completions are read through it).
    private(set) var mentionsChoices = false
    /// Dotted expressions (`lm`, `self.lm`) assigned from `dspy.LM(...)`.
    private(set) var lmHandles: Set<String> = []
    private var kinds: [ObjectIdentifier: ClassKind] = [:]

    static let predictorNames: Set<String> = [
        "Predict", "ChainOfThought", "ReAct", "ProgramOfThought", "CodeAct", "MultiChainComparison",
        "ChainOfThoughtWithHint", "Refine", "BestOfN", "Parallel", "Retry", "KNN", "RLM",
    ]

    public init(_ module: Node) {
        self.module = module
        module.walk { node in
            switch node.type {
            case "Import":
                for alias in node.nodes("names") {
                    guard let name = alias.string("name") else { continue }
                    if name == "dspy" || name.hasPrefix("dspy.") { importsDSPy = true }
                    if let asName = alias.string("asname") {
                        aliases[asName] = name; bound.insert(asName)
                    } else {
                        let head = String(name.prefix { $0 != "." })
                        aliases[head] = head; bound.insert(head)
                    }
                }
            case "ImportFrom":
                let from = node.string("module") ?? ""
                if from == "dspy" || from.hasPrefix("dspy.") { importsDSPy = true }
                for alias in node.nodes("names") {
                    guard let name = alias.string("name") else { continue }
                    if name == "*" { starImport = true; continue }
                    let local = alias.string("asname") ?? name
                    // `from dspy.teleprompt import MIPROv2` is still `dspy.MIPROv2` to the rules.
                    aliases[local] = from.hasPrefix("dspy.") ? "dspy.\(name)" : from.isEmpty ? name : "\(from).\(name)"
                    bound.insert(local)
                }
            case "Name":
                if let ctx = node.node("ctx"), ctx.type != "Load", let id = node.string("id") { bound.insert(id) }
            case "arg":
                if let a = node.string("arg") { bound.insert(a) }
            case "FunctionDef", "AsyncFunctionDef":
                if let n = node.string("name") {
                    bound.insert(n)
                    if n == "__call__" || n == "acall" || n == "call" { callMethods.append(node) }
                }
            case "Attribute":
                if node.string("attr") == "choices" { mentionsChoices = true }
            case "NamedExpr":
                assignments.append(node)
            case "ClassDef":
                if let n = node.string("name") { bound.insert(n); classes[n] = node; classOrder.append(node) }
            case "ExceptHandler", "MatchAs", "MatchStar":
                if let n = node.string("name") { bound.insert(n) }
            case "MatchMapping":
                if let n = node.string("rest") { bound.insert(n) }
            case "Global", "Nonlocal":
                if case .list(let names)? = node["names"] { for case .string(let n) in names { bound.insert(n) } }
            case "Call":
                calls.append(node)
            case "Assign", "AnnAssign":
                assignments.append(node)
                if let value = node.node("value"), value.type == "Call", let f = value.node("func"),
                   isDSPy(f, "LM") {
                    for target in node.nodes("targets") + node.nodes("target") {
                        if let t = dotted(target) { lmHandles.insert(t) }
                    }
                }
            default: break
            }
        }
        for statement in module.nodes("body") {
            switch statement.type {
            case "Assign":
                if let value = statement.node("value"), Self.looksLikeType(value) {
                    for t in statement.nodes("targets") where t.type == "Name" { typeAliases[t.string("id")!] = value }
                }
            case "AnnAssign":
                if let value = statement.node("value"), let t = statement.node("target"), t.type == "Name",
                   Self.looksLikeType(value) { typeAliases[t.string("id")!] = value }
            case "TypeAlias":
                if let t = statement.node("name"), let id = t.string("id"), let value = statement.node("value") {
                    typeAliases[id] = value
                }
            default: break
            }
        }
    }

    static func looksLikeType(_ node: Node) -> Bool {
        switch node.type {
        case "Subscript", "Name", "Attribute": return true
        case "BinOp": return node.node("op")?.type == "BitOr"
        default: return false
        }
    }

    /// The dotted text of a name or attribute chain as written: `self.lm`, `client.chat`.
    func dotted(_ node: Node) -> String? { Origins.dotted(node) }

    /// The dotted name an expression stands for, imports resolved: `d.Predict` → `dspy.Predict`,
    /// `run` (from subprocess import run) → `subprocess.run`. Local names stay as written.
    public func qualified(_ node: Node) -> String? {
        switch node.type {
        case "Name":
            guard let id = node.string("id") else { return nil }
            return aliases[id] ?? id
        case "Attribute":
            guard let base = node.node("value").flatMap(qualified), let attr = node.string("attr") else { return nil }
            return "\(base).\(attr)"
        default: return nil
        }
    }

    /// Whether `node` names `dspy.<name>` (or `dspy.<submodules>.<name>`).
    func isDSPy(_ node: Node, _ name: String) -> Bool {
        guard let q = qualified(node), q.hasPrefix("dspy.") else { return false }
        return q.hasSuffix(".\(name)")
    }

    /// The last component of a `dspy.…` name, or nil when `node` is not one.
    public func dspyName(_ node: Node) -> String? {
        guard let q = qualified(node), q.hasPrefix("dspy.") else { return nil }
        return String(q.split(separator: ".").last!)
    }

    // MARK: classes

    /// What a base-class expression is.
    func kind(ofBase base: Node, depth: Int = 0) -> ClassKind {
        if let name = dspyName(base) {
            if name == "Module" { return .module }
            if name == "Signature" { return .signature }
            if Self.predictorNames.contains(name) { return .predictor }
            return .other
        }
        if base.type == "Name", let id = base.string("id"), aliases[id] == nil, let cls = classes[id], depth < 32 {
            return kind(of: cls, depth: depth + 1)
        }
        if base.type == "Name", let id = base.string("id"), aliases[id] == nil, ["object", "Exception"].contains(id) { return .other }
        if let q = qualified(base), q.hasPrefix("pydantic.") || q.hasPrefix("typing.") || q.hasPrefix("enum.") { return .other }
        return .unknown
    }

    /// What a class is, from its bases: the first base that is a module or signature decides.
    public func kind(of cls: Node, depth: Int = 0) -> ClassKind {
        if let known = kinds[ObjectIdentifier(cls)] { return known }
        var result = ClassKind.other
        for base in cls.nodes("bases") {
            let k = kind(ofBase: base, depth: depth)
            if k == .module || k == .signature || k == .predictor { result = k; break }
            if k == .unknown { result = .unknown }
        }
        if depth == 0 { kinds[ObjectIdentifier(cls)] = result }
        return result
    }

    public func isModule(_ cls: Node) -> Bool { let k = kind(of: cls); return k == .module || k == .predictor }
    func isSignature(_ cls: Node) -> Bool { kind(of: cls) == .signature }

    /// The methods a class defines itself.
    public func method(_ cls: Node, _ name: String) -> Node? {
        cls.nodes("body").first { ($0.type == "FunctionDef" || $0.type == "AsyncFunctionDef") && $0.string("name") == name }
    }

    /// Whether `call` builds a signature field (`dspy.InputField()`, `InputField()` from dspy).
    func fieldKind(_ value: Node?) -> String? {
        guard let value, value.type == "Call", let f = value.node("func"), let name = dspyName(f) else { return nil }
        return name == "InputField" || name == "OutputField" ? name : nil
    }

    /// The signature fields a class body declares: (name, annotation, InputField/OutputField, node).
    func fields(of cls: Node) -> [SignatureField] {
        var out = [SignatureField]()
        for statement in cls.nodes("body") {
            switch statement.type {
            case "AnnAssign":
                guard let t = statement.node("target"), t.type == "Name", let name = t.string("id"),
                      let kind = fieldKind(statement.node("value")) else { continue }
                out.append(SignatureField(name: name, isInput: kind == "InputField", annotation: statement.node("annotation"), node: t))
            case "Assign":
                guard let kind = fieldKind(statement.node("value")) else { continue }
                for t in statement.nodes("targets") where t.type == "Name" {
                    out.append(SignatureField(name: t.string("id")!, isInput: kind == "InputField", annotation: nil, node: t))
                }
            default: continue
            }
        }
        return out
    }
}

/// One field of a signature, from a class body or a signature string.
struct SignatureField {
    let name: String
    let isInput: Bool
    /// The annotation node (class fields), when there is one.
    var annotation: Node?
    /// The annotation text (string signatures), when there is one.
    var annotationText: String? = nil
    let node: Node
}
