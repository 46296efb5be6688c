import PythonSyntax

/// A scope of a module, as Python resolves names: the module, a class body, a function or
/// lambda, or a comprehension.
final class Scope {
    enum Kind { case module, classBody, function, comprehension }
    let kind: Kind
    let parent: Scope?
    let id: Int
    /// Names bound here: assigned, imported, defined, parameters, loop and `as` targets.
    var bound: Set<String> = []
    /// Names bound here by `def`, `class` or `import`: they hide the builtin of that name.
    var defined: Set<String> = []
    /// Local name → the dotted name an import here binds it to.
    var imports: [String: String] = [:]
    var globals: Set<String> = []
    var nonlocals: Set<String> = []
    /// Modules of `from m import *` here: a name bound nowhere may come from them.
    var starImports: [String] = []

    init(_ kind: Kind, parent: Scope?, id: Int) { self.kind = kind; self.parent = parent; self.id = id }
}

/// What each expression of a module may stand for, for the security rules: `e` → `eval`
/// after `e = eval`, `s` → `os.system` after `from os import system as s`,
/// `getattr(__builtins__, "exec")` → `exec`, `sys.modules["os"].system` → `os.system`.
///
/// Names are resolved through Python's scopes (a parameter named `eval` hides the builtin
/// only in its function). Assignments are followed flow-insensitively: a name stands for
/// everything it is assigned anywhere in its scope, so an alias cannot be hidden by the
/// order of statements. Call results are `f()`: `zipfile.ZipFile(p)` → `zipfile.ZipFile()`.
final class Origins {
    let module = Scope(.module, parent: nil, id: 0)
    private var scopes: [ObjectIdentifier: Scope] = [:]
    /// What an assignment binds: a name in a scope, or an attribute chain (`self.run`) anywhere.
    private struct Key: Hashable { let scope: Int; let name: String }
    /// Assignments to follow: the target's key, the value, and the scope the value is read in.
    private var assignments: [(key: Key, value: Node, scope: Scope)] = []
    /// Target → what it may hold.
    private var table: [Key: Set<String>] = [:]
    /// The last names of assigned attribute chains: most attributes need no lookup.
    private var assignedAttributes: Set<String> = []

    /// The node classes the passes tell apart, found once per class rather than by comparing
    /// class names at every node.
    enum Tag {
        case function, classDef, lambda, comprehension, global, nonlocal, importStatement, importFrom, name,
             boundName, matchMapping, assign, annAssign, namedExpr, withItem, call, constant, attribute,
             subscripted, compare, condition, other
    }
    private var tags: [ObjectIdentifier: Tag] = [:]

    func tag(_ node: Node) -> Tag {
        let key = ObjectIdentifier(node.kind)
        if let known = tags[key] { return known }
        let t: Tag = switch node.type {
        case "FunctionDef", "AsyncFunctionDef": .function
        case "ClassDef": .classDef
        case "Lambda": .lambda
        case "ListComp", "SetComp", "DictComp", "GeneratorExp": .comprehension
        case "Global": .global
        case "Nonlocal": .nonlocal
        case "Import": .importStatement
        case "ImportFrom": .importFrom
        case "Name": .name
        case "ExceptHandler", "MatchAs", "MatchStar": .boundName
        case "MatchMapping": .matchMapping
        case "Assign": .assign
        case "AnnAssign": .annAssign
        case "NamedExpr": .namedExpr
        case "withitem": .withItem
        case "Call": .call
        case "Constant": .constant
        case "Attribute": .attribute
        case "Subscript": .subscripted
        case "Compare": .compare
        case "If", "While", "Assert", "IfExp": .condition
        default: .other
        }
        tags[key] = t
        return t
    }

    /// Builtins the rules care about: an unbound name that is one of these is the builtin.
    static let builtins: Set<String> = [
        "eval", "exec", "compile", "execfile", "open", "getattr", "setattr", "hasattr", "delattr", "vars",
        "globals", "locals", "dir", "__import__", "breakpoint", "input",
    ]
    /// Bounds that keep the resolution finite on `x = x.next` and the like.
    static let maxOrigins = 32, maxComponents = 24, maxPasses = 32

    init(_ root: Node) {
        var stack: [(Node, Scope)] = [(root, module)]
        while let (node, scope) = stack.popLast() {
            bind(node, scope)
            eachChildReversed(node, scope) { stack.append(($0, $1)) }
        }
        // A fixpoint: each pass follows one more link of an alias chain written out of order.
        for _ in 0..<Self.maxPasses {
            var changed = false
            for a in assignments {
                let found = resolve(a.value, a.scope)
                if found.isEmpty { continue }
                var current = table[a.key, default: []]
                let before = current.count
                for o in found where current.count < Self.maxOrigins { current.insert(o) }
                if current.count != before { table[a.key] = current; changed = true }
            }
            if !changed { break }
        }
    }

    /// Calls `visit` on the children of `node`, last first (for a stack), each with the scope its
    /// names are read in: a function's body in its own scope, its decorators and defaults in the
    /// enclosing one. Allocates nothing: this runs on every node twice.
    func eachChildReversed(_ node: Node, _ scope: Scope, _ visit: (Node, Scope) -> Void) {
        let inner = node.fieldCount > 1 ? scopes[ObjectIdentifier(node)] : nil
        var i = node.fieldCount - 1
        while i >= 0 {
            var s = scope
            if let inner {
                let name = node.kind.fieldNames[i]
                let inside = switch node.type {
                case "FunctionDef", "AsyncFunctionDef", "ClassDef": name == "body" || name == "type_params"
                case "Lambda": name == "body"
                default: true
                }
                if inside { s = inner }
            }
            // Leaves without fields (`Load`, `Store`, operators) hold nothing to check.
            switch node.value(at: i) {
            case .node(let child): if child.fieldCount > 0 { visit(child, s) }
            case .list(let values):
                for v in values.reversed() { if case .node(let child) = v, child.fieldCount > 0 { visit(child, s) } }
            default: break
            }
            i -= 1
        }
    }

    // MARK: collecting bindings

    private func newScope(_ node: Node, _ kind: Scope.Kind, _ parent: Scope) -> Scope {
        let scope = Scope(kind, parent: parent, id: scopes.count + 1)
        scopes[ObjectIdentifier(node)] = scope
        return scope
    }

    /// The scope a name assigned in `scope` belongs to (`global` and `nonlocal` move it).
    private func owner(_ name: String, _ scope: Scope) -> Scope {
        if scope.globals.contains(name) { return module }
        if scope.nonlocals.contains(name) {
            var p = scope.parent
            while let q = p {
                if q.kind == .function, q.bound.contains(name) { return q }
                p = q.parent
            }
            return scope.parent ?? module
        }
        return scope
    }

    private func bindName(_ name: String, _ scope: Scope, defines: Bool = false, imports: String? = nil) {
        let o = owner(name, scope)
        o.bound.insert(name)
        if defines { o.defined.insert(name) }
        if let imports { o.imports[name] = imports }
    }

    private func bindParameters(_ arguments: Node?, _ scope: Scope) {
        guard let arguments else { return }
        for field in ["posonlyargs", "args", "vararg", "kwonlyargs", "kwarg"] {
            for a in arguments.nodes(field) { if let n = a.string("arg") { scope.bound.insert(n) } }
        }
    }

    private func bind(_ node: Node, _ scope: Scope) {
        switch tag(node) {
        case .function:
            if let n = node.string("name") { bindName(n, scope, defines: true) }
            bindParameters(node.node("args"), newScope(node, .function, scope))
        case .classDef:
            if let n = node.string("name") { bindName(n, scope, defines: true) }
            _ = newScope(node, .classBody, scope)
        case .lambda:
            bindParameters(node.node("args"), newScope(node, .function, scope))
        case .comprehension:
            _ = newScope(node, .comprehension, scope)
        case .global, .nonlocal:
            guard case .list(let names)? = node["names"] else { return }
            for case .string(let n) in names {
                if node.type == "Global" { scope.globals.insert(n) } else { scope.nonlocals.insert(n) }
            }
        case .importStatement:
            for alias in node.nodes("names") {
                guard let name = alias.string("name") else { continue }
                if let asName = alias.string("asname") {
                    bindName(asName, scope, defines: true, imports: name)
                } else {
                    let head = String(name.prefix { $0 != "." })
                    bindName(head, scope, defines: true, imports: head)
                }
            }
        case .importFrom:
            let from = node.string("module") ?? ""
            for alias in node.nodes("names") {
                guard let name = alias.string("name") else { continue }
                if name == "*" { if !from.isEmpty { scope.starImports.append(from) }; continue }
                let dotted = from.isEmpty ? name : Self.member(from, name) ?? name
                bindName(alias.string("asname") ?? name, scope, defines: true, imports: dotted)
            }
        case .name:
            if let ctx = node.node("ctx"), ctx.type != "Load", let id = node.string("id") { bindName(id, scope) }
        case .boundName:
            if let n = node.string("name") { bindName(n, scope) }
        case .matchMapping:
            if let n = node.string("rest") { bindName(n, scope) }
        case .assign:
            guard let value = node.node("value") else { return }
            for t in node.nodes("targets") { assign(t, value, scope) }
        case .annAssign:
            if let t = node.node("target"), let value = node.node("value") { assign(t, value, scope) }
        case .namedExpr:
            // `(e := eval)` in a comprehension binds `e` in the enclosing function or module.
            var s = scope
            while s.kind == .comprehension, let p = s.parent { s = p }
            if let t = node.node("target"), let value = node.node("value") {
                if let id = t.string("id") { bindName(id, s) }
                assign(t, value, s, readIn: scope)
            }
        case .withItem:
            if let t = node.node("optional_vars"), let value = node.node("context_expr") { assign(t, value, scope) }
        default: break
        }
    }

    private func assign(_ target: Node, _ value: Node, _ scope: Scope, readIn: Scope? = nil) {
        switch target.type {
        case "Name":
            guard let id = target.string("id") else { return }
            assignments.append((Key(scope: owner(id, scope).id, name: id), value, readIn ?? scope))
        case "Attribute":
            if let d = Self.dotted(target), let attr = target.string("attr") {
                assignedAttributes.insert(attr)
                assignments.append((Key(scope: -1, name: d), value, readIn ?? scope))
            }
        case "Tuple", "List":
            let targets = target.nodes("elts"), values = value.nodes("elts")
            guard value.type == "Tuple" || value.type == "List", targets.count == values.count,
                  !(targets + values).contains(where: { $0.type == "Starred" }) else { return }
            for (t, v) in zip(targets, values) { assign(t, v, scope, readIn: readIn) }
        default: break
        }
    }

    // MARK: resolving

    /// The dotted text of a name or attribute chain as written: `self.run`, `os.path.join`.
    static func dotted(_ node: Node) -> String? {
        switch node.type {
        case "Name": return node.string("id")
        case "Attribute":
            guard let base = node.node("value").flatMap(dotted), let attr = node.string("attr") else { return nil }
            return "\(base).\(attr)"
        default: return nil
        }
    }

    /// `base.attr`, with the spellings that mean the same thing made one: `builtins.eval` is
    /// `eval`, `posix.system` is `os.system`, `f.__call__` is `f`. Nil past the length bound.
    static func member(_ base: String, _ attr: String) -> String? {
        if attr == "__call__" { return base }
        if base == "builtins", !attr.hasPrefix("__") || attr == "__import__" { return attr }
        if base == "posix" || base == "nt" { return "os.\(attr)" }
        if base.utf8.count(where: { $0 == UInt8(ascii: ".") }) >= maxComponents { return nil }
        return "\(base).\(attr)"
    }

    /// What the name `id` read in `scope` may stand for.
    func lookup(_ id: String, _ scope: Scope) -> Set<String> {
        var current: Scope? = scope
        var innermost = true
        while let s = current {
            defer { current = s.parent; innermost = false }
            // A class body's names are not visible in the functions it contains.
            if s.kind == .classBody, !innermost { continue }
            let o = owner(id, s)
            guard o.bound.contains(id) else { continue }
            var result = table[Key(scope: o.id, name: id)] ?? []
            if let imported = o.imports[id] { result.insert(imported) }
            // At module or class level a name can be read before it is assigned: `eval = eval`
            // reads the builtin. Only `def`, `class` and `import` hide it for good.
            if o.kind == .module || o.kind == .classBody, Self.builtins.contains(id), !o.defined.contains(id) {
                result.insert(id)
            }
            return result
        }
        if id == "__builtins__" { return ["builtins"] }
        var result: Set<String> = Self.builtins.contains(id) ? [id] : []
        current = scope
        while let s = current {
            for m in s.starImports { if let o = Self.member(m, id) { result.insert(o) } }
            current = s.parent
        }
        return result
    }

    /// What the expression `node`, read in `scope`, may stand for.
    func resolve(_ node: Node, _ scope: Scope) -> Set<String> {
        switch node.type {
        case "Name":
            return node.string("id").map { lookup($0, scope) } ?? []
        case "Attribute":
            guard let attr = node.string("attr"), let base = node.node("value") else { return [] }
            var result = assignedAttributes.contains(attr) ? Self.dotted(node).flatMap { table[Key(scope: -1, name: $0)] } ?? [] : []
            for b in resolve(base, scope) { if let m = Self.member(b, attr) { result.insert(m) } }
            return result
        case "Call":
            return resolveCall(node, scope)
        case "Subscript":
            guard let value = node.node("value"), let key = node.node("slice")?.stringConstant else { return [] }
            return entry(resolve(value, scope), key)
        case "NamedExpr":
            return node.node("value").map { resolve($0, scope) } ?? []
        case "BoolOp":
            return node.nodes("values").reduce(into: []) { $0.formUnion(resolve($1, scope)) }
        case "IfExp":
            return ["body", "orelse"].reduce(into: []) { r, f in if let n = node.node(f) { r.formUnion(resolve(n, scope)) } }
        default:
            return []
        }
    }

    /// `namespace[key]` for the namespaces that hold modules and functions: `sys.modules`,
    /// the builtins, a module's `__dict__`, `globals()`.
    func entry(_ namespaces: Set<String>, _ key: String) -> Set<String> {
        var result = Set<String>()
        for b in namespaces {
            if b == "sys.modules" { result.insert(key) }
            else if b == "builtins" { if let m = Self.member(b, key) { result.insert(m) } }
            else if b.hasSuffix(".__dict__") { if let m = Self.member(String(b.dropLast(9)), key) { result.insert(m) } }
            else if b == "globals()" { result.formUnion(key == "__builtins__" ? ["builtins"] : lookup(key, module)) }
        }
        return result
    }

    private func resolveCall(_ call: Node, _ scope: Scope) -> Set<String> {
        guard let f = call.node("func") else { return [] }
        var result = Set<String>()
        for callee in resolve(f, scope) {
            switch callee {
            case "getattr":
                guard let object = call.argument(0, "object"), let name = call.argument(1, "name")?.stringConstant else { continue }
                for b in resolve(object, scope) { if let m = Self.member(b, name) { result.insert(m) } }
            case "__import__", "importlib.__import__", "importlib.import_module":
                guard let name = call.argument(0, "name")?.stringConstant else { continue }
                // `__import__("os.path")` returns `os`, unless a fromlist is given.
                let whole = callee == "importlib.import_module" || call.nodes("args").count > 3 || call.keyword("fromlist") != nil
                result.insert(whole ? name : String(name.prefix { $0 != "." }))
            case "vars":
                if let object = call.argument(0, "object") {
                    for b in resolve(object, scope) { if let m = Self.member(b, "__dict__") { result.insert(m) } }
                } else {
                    result.insert("globals()")
                }
            case "globals", "locals":
                result.insert("globals()")
            default:
                // `sys.modules.get("os")`, `globals().get("eval")`: a lookup like a subscript.
                // `os.__getattribute__("system")`: getattr by another name.
                if callee.hasSuffix(".__getattribute__") || callee.hasSuffix(".__getattr__"), let name = call.argument(0, "name")?.stringConstant {
                    if let m = Self.member(String(callee[..<callee.lastIndex(of: ".")!]), name) { result.insert(m) }
                    continue
                }
                if callee.hasSuffix(".get") || callee.hasSuffix(".__getitem__"), let key = call.argument(0, "key")?.stringConstant {
                    let found = entry([String(callee.dropLast(callee.hasSuffix(".get") ? 4 : 12))], key)
                    if !found.isEmpty { result.formUnion(found); continue }
                }
                if callee.utf8.count(where: { $0 == UInt8(ascii: ".") }) < Self.maxComponents { result.insert(callee + "()") }
            }
        }
        return result
    }
}
