import MkspyCheck
import MkspyCore
import PythonSyntax

/// A value that static reading of a module's `__init__` knows. Instances, predictors,
/// lists and dicts are references, as in Python: the same predictor reached twice is one
/// predictor (`named_parameters` lists it once).
enum Value {
    case predictor(Predictor)
    /// A `dspy.Module` instance: a user's class or a DSPy module such as ChainOfThought.
    case module(Instance)
    /// A parameter that is not a predictor (`dspy.Retrieve`): its saved state.
    case parameter(FixedParameter)
    case signature(SignatureModel)
    case list(ListValue)
    case dict(DictValue)
    case string(String)
    case int(Int)
    /// A function defined at the top of the file (a ReAct tool, a factory).
    case function(Node)
    case tool(ToolModel)
    /// A class defined in the file.
    case classRef(Node)
    /// A name from dspy, by its last component: `dspy.ChainOfThought` → "ChainOfThought".
    case dspy(String)
    /// A name imported from elsewhere, by its dotted name.
    case imported(String)
    /// A value that holds no predictor, or one static reading cannot know (diagnosed
    /// where that matters).
    case opaque
}

final class Predictor {
    let kind: String
    let strategy: Strategy
    /// nil when the signature is only known at run time.
    let signature: SignatureModel?
    let line: Int
    init(kind: String, strategy: Strategy, signature: SignatureModel?, line: Int) {
        self.kind = kind; self.strategy = strategy; self.signature = signature; self.line = line
    }
}

final class Instance {
    let className: String
    /// `__dict__` in insertion order: assigning an attribute again keeps its place.
    private(set) var attributes: [(name: String, value: Value)] = []
    init(_ className: String, _ attributes: [(name: String, value: Value)] = []) {
        self.className = className; self.attributes = attributes
    }
    subscript(name: String) -> Value? {
        get { attributes.first { $0.name == name }?.value }
        set {
            if let i = attributes.firstIndex(where: { $0.name == name }) {
                if let newValue { attributes[i].value = newValue } else { attributes.remove(at: i) }
            } else if let newValue {
                attributes.append((name, newValue))
            }
        }
    }
}

final class FixedParameter {
    let state: JSONObject
    init(_ state: JSONObject) { self.state = state }
}

final class ListValue {
    var items: [Value]
    init(_ items: [Value]) { self.items = items }
}

final class DictValue {
    var items: [(key: String, value: Value)]
    init(_ items: [(key: String, value: Value)]) { self.items = items }
}

/// Local names of one function call, and the instance `self` names.
struct Scope {
    var locals: [String: Value] = [:]
    var selfName: String?
    var instance: Instance?
    /// The class whose method runs, for `super()` and `self.method()`.
    var cls: Node?
}

/// Reads a DSPy program statically: runs the straight-line part of `__init__` (and what it
/// calls in the same file) over `Value`s, never importing or running anything. Where the
/// program's shape depends on run time (loops, conditions, other files), it says so.
final class ProgramReader {
    let program: Program
    var diagnostics: [Diagnostic] = []
    /// Names of classes and aliases of the file that field annotations refer to.
    var referencedTypes: [String] = []
    var functions: [String: Node] = [:]
    var globalAssignments: [String: Node] = [:]
    var globalValues: [String: Value] = [:]
    var signatureCache: [ObjectIdentifier: SignatureModel?] = [:]
    var depth = 0
    /// The program file's directory, where its own modules are.
    var directory: String?
    /// Functions run so far: a program that builds itself recursively stops here.
    var runs = 0

    init(module: Node) {
        program = Program(module)
        for statement in module.nodes("body") {
            switch statement.type {
            case "FunctionDef", "AsyncFunctionDef":
                if let name = statement.string("name") { functions[name] = statement }
            case "Assign":
                for t in statement.nodes("targets") where t.type == "Name" { globalAssignments[t.string("id")!] = statement.node("value") }
            case "AnnAssign":
                if let t = statement.node("target"), t.type == "Name", let v = statement.node("value") { globalAssignments[t.string("id")!] = v }
            default: break
            }
        }
    }

    func warn(_ node: Node, _ message: String, rule: SpecRule = .programUndecided) {
        let d = Diagnostic(rule.rawValue, rule.severity, message, line: Int(node.lineno), col: Int(node.colOffset))
        if !diagnostics.contains(d) { diagnostics.append(d) }
    }

    /// An annotation's text as `ast.unparse` writes it; names of the file's classes and type
    /// aliases it uses are noted for the spec's `types`.
    func typeText(_ node: Node) -> String {
        node.walk { n in
            if n.type == "Name", let id = n.string("id"), program.classes[id] != nil || program.typeAliases[id] != nil,
               !referencedTypes.contains(id) { referencedTypes.append(id) }
        }
        return unparse(node) ?? "Any"
    }

    // MARK: running functions

    /// Runs a function of the file with the given arguments; returns what it returns.
    /// Parameters without argument or default are `.opaque` and listed in `missing`.
    @discardableResult
    func call(_ def: Node, args: [Value], keywords: [(String, Value)], instance: Instance?, cls: Node?,
              missing: inout [String]) -> Value {
        runs += 1
        guard depth < 32, runs <= 1_000 else {
            warn(def, "static reading stops at \(def.string("name") ?? "a function") (line \(def.lineno)): calls nest too deep or too many")
            return .opaque
        }
        depth += 1
        defer { depth -= 1 }
        var scope = Scope(instance: instance, cls: cls)
        let a = def.node("args")
        var positional = (a?.nodes("posonlyargs") ?? []) + (a?.nodes("args") ?? [])
        if instance != nil, !positional.isEmpty {
            scope.selfName = positional.removeFirst().string("arg")
        }
        let defaults = a?.nodes("defaults") ?? []
        let firstDefault = positional.count - defaults.count
        var empty = Scope()
        for (i, parameter) in positional.enumerated() {
            let name = parameter.string("arg") ?? ""
            if i < args.count { scope.locals[name] = args[i] }
            else if let k = keywords.first(where: { $0.0 == name }) { scope.locals[name] = k.1 }
            else if i >= firstDefault { scope.locals[name] = eval(defaults[i - firstDefault], &empty) }
            else { scope.locals[name] = .opaque; missing.append(name) }
        }
        for (parameter, value) in zip(a?.nodes("kwonlyargs") ?? [], a?["kw_defaults"].map { v -> [Node?] in
            if case .list(let items) = v { return items.map(\.node) } else { return [] }
        } ?? []) {
            let name = parameter.string("arg") ?? ""
            if let k = keywords.first(where: { $0.0 == name }) { scope.locals[name] = k.1 }
            else if let value { scope.locals[name] = eval(value, &empty) }
            else { scope.locals[name] = .opaque; missing.append(name) }
        }
        for rest in [a?.node("vararg"), a?.node("kwarg")].compactMap({ $0 }) {
            if let name = rest.string("arg") { scope.locals[name] = .opaque }
        }
        return run(def.nodes("body"), &scope) ?? .opaque
    }

    /// Runs statements; returns the value of a `return`, if one runs.
    func run(_ body: [Node], _ scope: inout Scope) -> Value? {
        for statement in body {
            switch statement.type {
            case "Expr":
                if let v = statement.node("value"), v.type != "Constant" { _ = eval(v, &scope) }
            case "Assign":
                guard let valueNode = statement.node("value") else { continue }
                let value = eval(valueNode, &scope)
                for target in statement.nodes("targets") { assign(target, value, &scope) }
            case "AnnAssign":
                if let valueNode = statement.node("value"), let target = statement.node("target") {
                    assign(target, eval(valueNode, &scope), &scope)
                }
            case "Return":
                return statement.node("value").map { eval($0, &scope) } ?? .opaque
            case "If":
                if builds(statement) {
                    warn(statement, "predictors are built under a condition (line \(statement.lineno)); static reading assumes its first branch runs")
                }
                if let value = run(statement.nodes("body"), &scope) { return value }
            case "Try", "TryStar", "With", "AsyncWith":
                if let value = run(statement.nodes("body"), &scope) { return value }
            case "For" where builds(statement):
                // `for i in range(3): self.hops.append(...)`: run as Python would, when what it
                // walks is known and nothing in it jumps.
                guard let values = walked(statement, &scope) else { fallthrough }
                for value in values {
                    assign(statement.node("target")!, value, &scope)
                    if let result = run(statement.nodes("body"), &scope) { return result }
                }
            case "For", "AsyncFor", "While", "Match":
                if builds(statement) {
                    let what = statement.type == "Match" ? "under a match statement" : "in a loop"
                    warn(statement, "predictors built \(what) (line \(statement.lineno)) are not read statically; named_predictors() at run time decides")
                }
            case "FunctionDef", "AsyncFunctionDef", "ClassDef":
                if let name = statement.string("name") { scope.locals[name] = .opaque }
            case "Delete":
                for target in statement.nodes("targets") { delete(target, &scope) }
            default:
                break
            }
        }
        return nil
    }

    /// Whether a statement or expression builds predictors or modules, or sets attributes
    /// of `self`: where that happens under a loop or condition, static reading must say so.
    func builds(_ node: Node) -> Bool {
        var found = false
        node.walk { n in
            guard !found, n.type == "Call", let f = n.node("func") else { return }
            if let name = program.dspyName(f), DSPyModules.builders.contains(name) || DSPyModules.unread.contains(name) { found = true }
            if f.type == "Name", let id = f.string("id"), let cls = program.classes[id], program.isModule(cls) { found = true }
        }
        return found
    }

    func assign(_ target: Node, _ value: Value, _ scope: inout Scope) {
        switch target.type {
        case "Name":
            if let id = target.string("id") { scope.locals[id] = value }
        case "Attribute":
            guard let attr = target.string("attr"), let base = target.node("value") else { return }
            let owner = eval(base, &scope)
            if case .module(let instance) = owner {
                instance[attr] = value
            }
            if attr == "lm" {
                switch owner {
                case .module, .predictor:
                    warn(target, "an LM set on a predictor in __init__ is not in the state mkspy writes (its \"lm\" is null), and program.load() resets it")
                default: break
                }
            }
        case "Subscript":
            guard case .dict(let d) = eval(target.node("value")!, &scope), let key = target.node("slice")?.stringConstant else { return }
            if let i = d.items.firstIndex(where: { $0.key == key }) { d.items[i].value = value } else { d.items.append((key, value)) }
        case "Tuple", "List":
            let elements = target.nodes("elts")
            if case .list(let l) = value, l.items.count == elements.count {
                for (t, v) in zip(elements, l.items) { assign(t, v, &scope) }
            } else {
                for t in elements { assign(t, .opaque, &scope) }
            }
        default: break
        }
    }

    /// The items a `for` statement or a comprehension walks, when static reading knows them:
    /// `range(...)` of known ints (64 at most), or a list it holds. Nil for anything else, and
    /// for a loop that breaks, continues or has an `else`.
    func walked(_ loop: Node, _ scope: inout Scope) -> [Value]? {
        guard let iter = loop.node("iter"), loop.nodes("orelse").isEmpty else { return nil }
        var jumps = false
        for statement in loop.nodes("body") {
            statement.walk { if ["Break", "Continue"].contains($0.type) { jumps = true } }
        }
        guard !jumps else { return nil }
        if iter.type == "Call", let f = iter.node("func"), f.type == "Name", f.string("id") == "range",
           scope.locals["range"] == nil, iter.nodes("keywords").isEmpty {
            let bounds = iter.nodes("args").map { eval($0, &scope) }.compactMap { v -> Int? in if case .int(let i) = v { i } else { nil } }
            guard bounds.count == iter.nodes("args").count, (1...3).contains(bounds.count), bounds.count < 3 || bounds[2] > 0 else { return nil }
            let (start, end, step) = bounds.count == 1 ? (0, bounds[0], 1) : (bounds[0], bounds[1], bounds.count == 3 ? bounds[2] : 1)
            let items = Array(stride(from: start, to: end, by: step))
            return items.count <= 64 ? items.map(Value.int) : nil
        }
        if case .list(let l) = eval(iter, &scope), l.items.count <= 64 { return l.items }
        return nil
    }

    /// `del self.x`, `del d["k"]`: the attribute or item is gone from named_predictors().
    func delete(_ target: Node, _ scope: inout Scope) {
        switch target.type {
        case "Attribute":
            if let attr = target.string("attr"), case .module(let instance) = eval(target.node("value")!, &scope) { instance[attr] = nil }
        case "Subscript":
            switch eval(target.node("value")!, &scope) {
            case .dict(let d):
                if let key = target.node("slice")?.stringConstant { d.items.removeAll { $0.key == key } } else { fallthrough }
            case .list:
                warn(target, "del on line \(target.lineno) is not read statically; named_predictors() at run time decides")
            default: break
            }
        case "Name":
            if let id = target.string("id") { scope.locals[id] = nil }
        default: break
        }
    }

    // MARK: expressions

    func eval(_ node: Node, _ scope: inout Scope) -> Value {
        switch node.type {
        case "Constant":
            if let s = node.stringConstant { return .string(s) }
            if case .int(let digits)? = node["value"]?.constant, let i = Int(digits) { return .int(i) }
            return .opaque
        case "Name":
            let id = node.string("id") ?? ""
            if let local = scope.locals[id] { return local }
            if id == scope.selfName, let instance = scope.instance { return .module(instance) }
            return global(id, node)
        case "Attribute":
            if let name = program.dspyName(node) { return .dspy(name) }
            let base = eval(node.node("value")!, &scope)
            let attr = node.string("attr") ?? ""
            switch base {
            case .module(let instance): return instance[attr] ?? .opaque
            case .imported(let dotted): return .imported("\(dotted).\(attr)")
            default: return .opaque
            }
        case "List", "Tuple":
            return .list(ListValue(node.nodes("elts").map { eval($0, &scope) }))
        case "Dict":
            var items = [(key: String, value: Value)]()
            for (k, v) in zip(node["keys"]?.nodes ?? [], node.nodes("values")) {
                guard let key = k.stringConstant ?? k.intConstantText else { return .opaque }
                items.append((key, eval(v, &scope)))
            }
            return .dict(DictValue(items))
        case "Call":
            return evalCall(node, &scope)
        case "ListComp" where builds(node):
            // `[dspy.Predict(...) for _ in range(3)]`: one new predictor per item, as Python builds them.
            guard let generator = node.nodes("generators").first, node.nodes("generators").count == 1,
                  generator.nodes("ifs").isEmpty, generator["is_async"]?.int ?? 0 == 0,
                  let values = walked(generator, &scope), let target = generator.node("target") else { fallthrough }
            var inner = scope  // a comprehension's names are its own
            return .list(ListValue(values.map { value in
                assign(target, value, &inner)
                return eval(node.node("elt")!, &inner)
            }))
        case "ListComp", "GeneratorExp", "DictComp", "SetComp":
            if builds(node) {
                warn(node, "predictors built in a comprehension (line \(node.lineno)) are not read statically; named_predictors() at run time decides")
            }
            return .opaque
        case "BinOp":
            // [predictor] * n: one list that holds the same predictor n times.
            if node.node("op")?.type == "Mult", let l = node.node("left"), let r = node.node("right") {
                switch (eval(l, &scope), eval(r, &scope)) {
                case (.list(let list), .int(let n)), (.int(let n), .list(let list)):
                    return .list(ListValue(Array(repeatElement(list.items, count: max(0, n)).joined())))
                default: break
                }
            }
            if builds(node) {
                warn(node, "predictors built in this expression (line \(node.lineno)) are not read statically; named_predictors() at run time decides")
            }
            return .opaque
        case "JoinedStr":
            return .opaque
        default:
            if builds(node) {
                warn(node, "predictors built in this \(node.type) expression (line \(node.lineno)) are not read statically; named_predictors() at run time decides")
            }
            return .opaque
        }
    }

    /// A module-level name: a class or function of the file, an import, or a module-level
    /// assignment (evaluated once, on first use).
    func global(_ id: String, _ node: Node) -> Value {
        if let name = program.dspyName(node) { return .dspy(name) }
        if let cls = program.classes[id] { return .classRef(cls) }
        if let def = functions[id] { return .function(def) }
        if let dotted = program.aliases[id] { return .imported(dotted) }
        if let value = globalValues[id] { return value }
        if let assigned = globalAssignments[id] {
            globalValues[id] = .opaque  // a self-reference reads as unknown
            var scope = Scope()
            let value = eval(assigned, &scope)
            globalValues[id] = value
            return value
        }
        return .opaque
    }

    func evalCall(_ node: Node, _ scope: inout Scope) -> Value {
        guard let f = node.node("func") else { return .opaque }
        // What *args and **kwargs pass is not known: a function or class of the file is run
        // with the arguments written out (`super().__init__(**kwargs)` passing on the
        // program's own), its other parameters taking their defaults.
        let starred = node.nodes("args").contains { $0.type == "Starred" } || node.nodes("keywords").contains { $0.string("arg") == nil }
        let args = Array(node.nodes("args").prefix { $0.type != "Starred" })
        // super().__init__(...) and super().method(...): the next class of the file up the bases.
        if f.type == "Attribute", let inner = f.node("value"), inner.type == "Call", inner.node("func")?.string("id") == "super",
           let cls = scope.cls, let method = f.string("attr") {
            guard let (owner, def) = inherited(method, from: cls, skippingSelf: true) else { return .opaque }
            var missing = [String]()
            return call(def, args: args.map { eval($0, &scope) }, keywords: keywords(node, &scope),
                        instance: scope.instance, cls: owner, missing: &missing)
        }
        if f.type == "Attribute", program.dspyName(f) == nil, let method = f.string("attr") {
            var receiver = eval(f.node("value")!, &scope)
            if case .classRef(let cls) = receiver, program.kind(of: cls) == .signature {
                guard let model = classSignature(cls, node) else { return .opaque }
                receiver = .signature(model)
            }
            switch (receiver, method) {
            case (.signature(let s), "with_instructions"):
                guard case .string(let text)? = node.argument(0, "instructions").map({ eval($0, &scope) }) else {
                    warn(node, "the instructions given to with_instructions (line \(node.lineno)) are computed at run time")
                    return .opaque
                }
                return .signature(s.withInstructions(text))
            case (.signature, _):
                warn(node, "Signature.\(method)(…) (line \(node.lineno)) is not read statically; the signature is computed at run time")
                return .opaque
            case (.list(let l), "append"):
                if let item = args.first { l.items.append(eval(item, &scope)) }
                return .opaque
            case (.list(let l), "extend"):
                if let item = args.first, case .list(let more) = eval(item, &scope) { l.items += more.items }
                return .opaque
            case (.module(let instance), _):
                if instance === scope.instance, let cls = scope.cls, let (owner, def) = inherited(method, from: cls, skippingSelf: false) {
                    var missing = [String]()
                    return call(def, args: args.map { eval($0, &scope) }, keywords: keywords(node, &scope),
                                instance: instance, cls: owner, missing: &missing)
                }
                return .opaque
            case (.classRef(let cls), _):
                // Base.__init__(self, …): a class's method run on an instance, as super() does.
                guard let first = args.first, case .module(let instance) = eval(first, &scope),
                      let (owner, def) = inherited(method, from: cls, skippingSelf: false) else { return .opaque }
                var missing = [String]()
                return call(def, args: args.dropFirst().map { eval($0, &scope) }, keywords: keywords(node, &scope),
                            instance: instance, cls: owner, missing: &missing)
            case (.imported(let dotted), _):
                return importedCall("\(dotted).\(method)", node)
            default:
                if builds(node) { warn(node, "the call on line \(node.lineno) is not read statically") }
                return .opaque
            }
        }
        if f.type == "Name", f.string("id") == "setattr", scope.locals["setattr"] == nil, args.count == 3,
           let attr = args[1].stringConstant {
            if case .module(let instance) = eval(args[0], &scope) { instance[attr] = eval(args[2], &scope) }
            return .opaque
        }
        switch eval(f, &scope) {
        case .dspy(let name):
            if starred {
                if builds(node) { warn(node, "a call with *args or **kwargs (line \(node.lineno)) is not read statically") }
                return .opaque
            }
            return DSPyModules.build(name, node, self, &scope)
        case .classRef(let cls):
            switch program.kind(of: cls) {
            case .module: break
            case .predictor:
                warn(node, "\(cls.string("name") ?? "?") (line \(node.lineno)) derives from a DSPy module; the predictors its base builds are not read statically")
            case .unknown:
                warn(node, "\(cls.string("name") ?? "?") (line \(node.lineno)) derives from a class of another file; predictors it builds are not read statically")
                return .opaque
            default: return .opaque
            }
            var missing = [String]()
            return .module(instantiate(cls, args: args.map { eval($0, &scope) }, keywords: keywords(node, &scope), missing: &missing))
        case .function(let def):
            var missing = [String]()
            return call(def, args: args.map { eval($0, &scope) }, keywords: keywords(node, &scope), instance: nil, cls: nil, missing: &missing)
        case .imported(let dotted):
            return importedCall(dotted, node)
        case .opaque where f.type == "Name" && scope.locals[f.string("id") ?? ""] == nil && !starred:
            return builtinCall(f.string("id") ?? "", node, &scope)
        default:
            if builds(node) { warn(node, "the call on line \(node.lineno) is not read statically") }
            return .opaque
        }
    }

    /// `dict(k=v, …)`, `list(x)` and `tuple(x)` of Python's builtins, which programs use to
    /// hold predictors; any other call that builds one is said to be unread.
    func builtinCall(_ name: String, _ node: Node, _ scope: inout Scope) -> Value {
        let args = node.nodes("args")
        switch (name, args.count) {
        case ("dict", 0):
            return .dict(DictValue(keywords(node, &scope).map { (key: $0.0, value: $0.1) }))
        case ("list", 1), ("tuple", 1):
            if node.nodes("keywords").isEmpty, case .list(let l) = eval(args[0], &scope) { return .list(ListValue(l.items)) }
        default: break
        }
        if builds(node) { warn(node, "the call on line \(node.lineno) is not read statically; named_predictors() at run time decides") }
        return .opaque
    }

    /// A class or function from another file: a module it builds cannot be read here.
    func importedCall(_ dotted: String, _ node: Node) -> Value {
        let last = dotted.split(separator: ".").last.map(String.init) ?? dotted
        if let first = last.unicodeScalars.first, first.properties.isUppercase || isProgramFile(dotted) {
            warn(node, "\(dotted) (line \(node.lineno)) comes from another file; predictors it builds are not read statically, named_predictors() at run time decides")
        }
        return .opaque
    }

    /// Whether a dotted import names a module of the program's own (a file or package beside
    /// it, or a relative import), whose functions may build predictors: looked up, never read.
    func isProgramFile(_ dotted: String) -> Bool {
        if dotted.hasPrefix(".") { return true }
        guard let directory, let top = dotted.split(separator: ".").first else { return false }
        return readFile("\(directory)/\(top).py") != nil || readFile("\(directory)/\(top)/__init__.py") != nil
    }

    /// A new instance of a module class of the file, its `__init__` run.
    func instantiate(_ cls: Node, args: [Value], keywords: [(String, Value)], missing: inout [String]) -> Instance {
        let instance = Instance(cls.string("name") ?? "?")
        if let (owner, def) = inherited("__init__", from: cls, skippingSelf: false) {
            call(def, args: args, keywords: keywords, instance: instance, cls: owner, missing: &missing)
        }
        return instance
    }

    /// The method `name` of `cls` or of its bases in the file (in the order Python looks),
    /// with the class that defines it.
    func inherited(_ name: String, from cls: Node, skippingSelf: Bool, depth: Int = 0) -> (Node, Node)? {
        if !skippingSelf, let def = program.method(cls, name) { return (cls, def) }
        guard depth < 32 else { return nil }
        for base in cls.nodes("bases") {
            guard base.type == "Name", let id = base.string("id"), program.aliases[id] == nil,
                  let parent = program.classes[id] else { continue }
            if let found = inherited(name, from: parent, skippingSelf: false, depth: depth + 1) { return found }
        }
        return nil
    }

    func keywords(_ call: Node, _ scope: inout Scope) -> [(String, Value)] {
        call.nodes("keywords").compactMap { k in k.string("arg").map { ($0, eval(k.node("value")!, &scope)) } }
    }
}

extension Node {
    /// The decimal text of an `int` constant.
    var intConstantText: String? {
        if type == "Constant", case .int(let digits)? = self["value"]?.constant { return digits }
        return nil
    }
}
