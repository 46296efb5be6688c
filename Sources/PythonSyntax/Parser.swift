// Recursive descent for statements, precedence climbing for expressions, following
// CPython 3.13's PEG grammar (Grammar/python.gram) and its node positions.

let maxDepth = 3000

let ctxLoad = Node(K.Load), ctxStore = Node(K.Store), ctxDel = Node(K.Del)

private func op(_ n: String) -> Node { Node(NodeKind(n, [])) }
let opAnd = op("And"), opOr = op("Or"), opNot = op("Not"), opInvert = op("Invert")
let opUAdd = op("UAdd"), opUSub = op("USub")
let opEq = op("Eq"), opNotEq = op("NotEq"), opLt = op("Lt"), opLtE = op("LtE"), opGt = op("Gt")
let opGtE = op("GtE"), opIs = op("Is"), opIsNot = op("IsNot"), opIn = op("In"), opNotIn = op("NotIn")
let opBitOr = op("BitOr"), opBitXor = op("BitXor"), opBitAnd = op("BitAnd"), opLShift = op("LShift")
let opRShift = op("RShift"), opAdd = op("Add"), opSub = op("Sub"), opMult = op("Mult"), opDiv = op("Div")
let opFloorDiv = op("FloorDiv"), opMod = op("Mod"), opMatMult = op("MatMult"), opPow = op("Pow")

/// The operator node of a binary operator token (or of an augmented assignment's, when `aug`).
func binOp(_ k: Tok, aug: Bool = false) -> Node? {
    switch k {
    case .vbar where !aug, .vbarequal where aug: return opBitOr
    case .circumflex where !aug, .circumflexequal where aug: return opBitXor
    case .amper where !aug, .amperequal where aug: return opBitAnd
    case .leftshift where !aug, .leftshiftequal where aug: return opLShift
    case .rightshift where !aug, .rightshiftequal where aug: return opRShift
    case .plus where !aug, .plusequal where aug: return opAdd
    case .minus where !aug, .minequal where aug: return opSub
    case .star where !aug, .starequal where aug: return opMult
    case .slash where !aug, .slashequal where aug: return opDiv
    case .doubleslash where !aug, .doubleslashequal where aug: return opFloorDiv
    case .percent where !aug, .percentequal where aug: return opMod
    case .at where !aug, .atequal where aug: return opMatMult
    case .doublestar where !aug, .doublestarequal where aug: return opPow
    default: return nil
    }
}

@inline(__always) func binPrec(_ k: Tok) -> Int {
    switch k {
    case .vbar: return 1
    case .circumflex: return 2
    case .amper: return 3
    case .leftshift, .rightshift: return 4
    case .plus, .minus: return 5
    case .star, .slash, .doubleslash, .percent, .at: return 6
    default: return 0
    }
}

typealias F = (name: String, value: Value)

final class Parser {
    let src: [UInt8]
    let tk: [Token]
    let lineStarts: [Int32]
    var p = 0
    var depth = 0
    var specDepth = 0  // format specs enclosing the current f-string field

    init(src: [UInt8], tokens: [Token], lineStarts: [Int32]) {
        self.src = src
        self.tk = tokens
        self.lineStarts = lineStarts
    }

    // MARK: token helpers

    @inline(__always) var kind: Tok { tk[p].kind }
    @inline(__always) func kind(at i: Int) -> Tok { tk[min(p + i, tk.count - 1)].kind }
    @inline(__always) func eat(_ k: Tok) -> Bool {
        if tk[p].kind == k { p += 1; return true }
        return false
    }
    func expect(_ k: Tok) throws(SyntaxError) {
        if tk[p].kind != k { throw unexpected(k) }
        p += 1
    }
    func unexpected(_ want: Tok? = nil) -> SyntaxError {
        let t = tk[p]
        switch t.kind {
        case .indent: return err("unexpected indent", t)
        case .dedent where want != nil: return err("unindent does not match any outer indentation level", t)
        case .endmarker: return err("invalid syntax", t)
        default:
            if want == .indent { return err("expected an indented block", t) }
            if want == .colon { return err("expected ':'", t) }
            return err("invalid syntax", t)
        }
    }
    func err(_ msg: String, _ t: Token) -> SyntaxError {
        SyntaxError(message: msg, lineno: Int(t.line), colOffset: Int(t.start - lineStarts[Int(t.line) - 1]))
    }
    func err(_ msg: String, node: Node) -> SyntaxError {
        SyntaxError(message: msg, lineno: Int(node.lineno), colOffset: Int(node.colOffset))
    }
    func text(_ i: Int) -> String {
        let a = Int(tk[i].start), b = Int(tk[i].end)
        let s = String(decoding: src[a..<b], as: UTF8.self)
        if tk[i].kind == .name { for j in a..<b where src[j] >= 128 { return normalizedIdentifier(s) } }
        return s
    }
    /// Whether `n` starts exactly at token `i` (so it was not parenthesized there).
    func startsAt(_ n: Node, _ i: Int) -> Bool {
        n.lineno == tk[i].line && n.colOffset == col(tk[i].start, tk[i].line)
    }
    func isSoft(_ i: Int, _ s: StaticString) -> Bool {
        let t = tk[i]
        guard t.kind == .name, Int(t.end - t.start) == s.utf8CodeUnitCount else { return false }
        var j = Int(t.start)
        for b in UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount) {
            if src[j] != b { return false }
            j += 1
        }
        return true
    }
    @inline(__always) func col(_ off: Int32, _ line: Int32) -> Int32 { off - lineStarts[Int(line) - 1] }
    func pos(_ s: Int) -> Pos {
        var e = p - 1
        while e > s, tk[e].kind == .dedent || tk[e].kind == .newline || tk[e].kind == .indent { e -= 1 }
        return pos(s, e)
    }
    func pos(_ s: Int, _ e: Int) -> Pos {
        let a = tk[s], b = tk[e]
        return Pos(line: a.line, col: col(a.start, a.line), endLine: b.endLine, endCol: col(b.end, b.endLine))
    }
    func pos(_ a: Node, _ b: Node) -> Pos {
        Pos(line: a.lineno, col: a.colOffset, endLine: b.endLineno, endCol: b.endColOffset)
    }
    func enter() throws(SyntaxError) {
        depth += 1
        if depth > maxDepth { throw err("too many nested expressions", tk[p]) }
    }
    func name(_ i: Int) -> Node {
        Node(K.Name, .string(text(i)), .node(ctxLoad), at: pos(i, i))
    }
    func expectName() throws(SyntaxError) -> String {
        guard kind == .name else { throw unexpected() }
        p += 1
        return text(p - 1)
    }

    // MARK: module and blocks

    func module() throws(SyntaxError) -> Node {
        var body: [Value] = []
        while kind != .endmarker {
            try statement(into: &body)
        }
        return Node(K.Module, .list(body), .list([]))
    }

    func block() throws(SyntaxError) -> [Value] {
        var body: [Value] = []
        if eat(.newline) {
            if kind != .indent { throw err("expected an indented block", tk[p]) }
            p += 1
            try enter()
            while kind != .dedent && kind != .endmarker { try statement(into: &body) }
            depth -= 1
            try expect(.dedent)
        } else {
            try simpleStatements(into: &body)
        }
        return body
    }

    func statement(into body: inout [Value]) throws(SyntaxError) {
        switch kind {
        case .kDef, .kClass, .at, .kIf, .kWhile, .kFor, .kTry, .kWith:
            body.append(.node(try compound()))
        case .kAsync where kind(at: 1) == .kDef || kind(at: 1) == .kWith || kind(at: 1) == .kFor:
            body.append(.node(try compound()))
        case .name where isSoft(p, "match"):
            if let m = try matchStatement() { body.append(.node(m)) } else { try simpleStatements(into: &body) }
        case .indent:
            throw err("unexpected indent", tk[p])
        default:
            try simpleStatements(into: &body)
        }
    }

    func simpleStatements(into body: inout [Value]) throws(SyntaxError) {
        while true {
            body.append(.node(try simpleStatement()))
            if eat(.semi) {
                if kind == .newline { break }
                continue
            }
            break
        }
        if kind != .newline { throw unexpected() }
        p += 1
    }

    func compound() throws(SyntaxError) -> Node {
        switch kind {
        case .at:
            var decos: [Value] = []
            while eat(.at) {
                decos.append(.node(try namedExpression()))
                try expect(.newline)
            }
            let d: Node
            if kind == .kClass { d = try classDef() }
            else if kind == .kDef || (kind == .kAsync && kind(at: 1) == .kDef) { d = try funcDef() }
            else { throw unexpected() }
            d.set("decorator_list", .list(decos))
            return d
        case .kDef: return try funcDef()
        case .kClass: return try classDef()
        case .kIf: return try ifStatement()
        case .kWhile:
            let s = p
            p += 1
            let test = try namedExpression()
            try expect(.colon)
            let body = try block()
            let orelse = try elseBlock()
            return Node(K.While, .node(test), .list(body), .list(orelse), at: pos(s))
        case .kFor, .kAsync:
            if kind == .kAsync && kind(at: 1) == .kDef { return try funcDef() }
            if kind == .kAsync && kind(at: 1) != .kFor { return try withStatement() }
            let s = p
            let isAsync = eat(.kAsync)
            p += 1
            let target = try starTargets()
            try expect(.kIn)
            let iter = try starExpressions()
            try expect(.colon)
            let body = try block()
            let orelse = try elseBlock()
            return Node(isAsync ? K.AsyncFor : K.For, .node(target), .node(iter), .list(body), .list(orelse),
                        extra: [.null], at: pos(s))
        case .kWith: return try withStatement()
        case .kTry: return try tryStatement()
        default: throw unexpected()
        }
    }

    func elseBlock() throws(SyntaxError) -> [Value] {
        guard eat(.kElse) else { return [] }
        try expect(.colon)
        return try block()
    }

    func ifStatement() throws(SyntaxError) -> Node {
        let s = p
        p += 1
        let test = try namedExpression()
        try expect(.colon)
        let body = try block()
        var orelse: [Value] = []
        if kind == .kElif {
            orelse = [.node(try ifStatement())]
        } else {
            orelse = try elseBlock()
        }
        return Node(K.If, .node(test), .list(body), .list(orelse), at: pos(s))
    }

    func funcDef() throws(SyntaxError) -> Node {
        let s = p
        let isAsync = eat(.kAsync)
        try expect(.kDef)
        let n = try expectName()
        let tps = try typeParams()
        try expect(.lpar)
        let args = try parameters(lambda: false, close: .rpar)
        try expect(.rpar)
        var returns: Value = .null
        if eat(.rarrow) { returns = .node(try expression()) }
        try expect(.colon)
        let body = try block()
        return Node(isAsync ? K.AsyncFunctionDef : K.FunctionDef, .string(n), .node(args), .list(body), .list([]),
                    extra: [returns, .null, .list(tps)], at: pos(s))
    }

    func classDef() throws(SyntaxError) -> Node {
        let s = p
        p += 1
        let n = try expectName()
        let tps = try typeParams()
        var bases: [Value] = [], keywords: [Value] = []
        if eat(.lpar) {
            (bases, keywords) = try arguments(callStart: s, allowBareGenexp: false)
            try expect(.rpar)
        }
        try expect(.colon)
        let body = try block()
        return Node(K.ClassDef, .string(n), .list(bases), .list(keywords), .list(body), extra: [.list([]), .list(tps)], at: pos(s))
    }

    func typeParams() throws(SyntaxError) -> [Value] {
        guard kind == .lsqb else { return [] }
        p += 1
        var out: [Value] = []
        while kind != .rsqb {
            let s = p
            if eat(.star) {
                let n = try expectName()
                if kind == .colon { throw err("cannot use bound with TypeVarTuple", tk[p]) }
                var def: Value = .null
                if eat(.equal) { def = .node(try starExpression()) }
                out.append(.node(Node(K.TypeVarTuple, .string(n), def, at: pos(s))))
            } else if eat(.doublestar) {
                let n = try expectName()
                if kind == .colon { throw err("cannot use bound with ParamSpec", tk[p]) }
                var def: Value = .null
                if eat(.equal) { def = .node(try expression()) }
                out.append(.node(Node(K.ParamSpec, .string(n), def, at: pos(s))))
            } else {
                let n = try expectName()
                var bound: Value = .null, def: Value = .null
                if eat(.colon) { bound = .node(try expression()) }
                if eat(.equal) { def = .node(try expression()) }
                out.append(.node(Node(K.TypeVar, .string(n), bound, def, at: pos(s))))
            }
            if !eat(.comma) { break }
        }
        if out.isEmpty { throw unexpected() }
        try expect(.rsqb)
        return out
    }

    /// Parameters of a def (annotations allowed) or a lambda, up to `close`.
    func parameters(lambda: Bool, close: Tok) throws(SyntaxError) -> Node {
        var posonly: [Value] = [], args: [Value] = [], defaults: [Value] = []
        var kwonly: [Value] = [], kwDefaults: [Value] = []
        var vararg: Value = .null, kwarg: Value = .null
        var sawDefault = false, sawStar = false, sawSlash = false
        func param(starAnnotation: Bool) throws(SyntaxError) -> Node {
            let s = p
            let n = try expectName()
            var ann: Value = .null
            if !lambda && eat(.colon) {
                ann = .node(starAnnotation && kind == .star ? try starExpression() : try expression())
            }
            return Node(K.arg, .string(n), ann, .null, at: pos(s))
        }
        while kind != close {
            if kwarg.node != nil { throw err("arguments cannot follow var-keyword argument", tk[p]) }
            if eat(.slash) {
                if sawSlash { throw err("/ may appear only once", tk[p - 1]) }
                if sawStar { throw err("/ must be ahead of *", tk[p - 1]) }
                if args.isEmpty { throw err("at least one argument must precede /", tk[p - 1]) }
                sawSlash = true
                posonly = args
                args = []
            } else if eat(.star) {
                if sawStar { throw err("* argument may appear only once", tk[p - 1]) }
                sawStar = true
                if kind == .comma {
                    if kind(at: 1) == close || kind(at: 1) == .doublestar {
                        throw err("named arguments must follow bare *", tk[p - 1])
                    }
                } else if kind == close {
                    throw err("named arguments must follow bare *", tk[p - 1])
                } else {
                    vararg = .node(try param(starAnnotation: true))
                    if kind == .equal { throw err("var-positional argument cannot have default value", tk[p]) }
                }
            } else if eat(.doublestar) {
                kwarg = .node(try param(starAnnotation: false))
                if kind == .equal { throw err("var-keyword argument cannot have default value", tk[p]) }
            } else {
                let a = try param(starAnnotation: false)
                if sawStar {
                    kwonly.append(.node(a))
                    kwDefaults.append(eat(.equal) ? .node(try expression()) : .null)
                } else {
                    args.append(.node(a))
                    if eat(.equal) {
                        defaults.append(.node(try expression()))
                        sawDefault = true
                    } else if sawDefault {
                        throw err("parameter without a default follows parameter with a default", node: a)
                    }
                }
            }
            if !eat(.comma) { break }
        }
        if sawStar && vararg.node == nil && kwonly.isEmpty { throw err("named arguments must follow bare *", tk[p]) }
        return Node(K.arguments, .list(posonly), .list(args), vararg, .list(kwonly), extra: [.list(kwDefaults), kwarg, .list(defaults)])
    }

    func withStatement() throws(SyntaxError) -> Node {
        let s = p
        let isAsync = eat(.kAsync)
        try expect(.kWith)
        var items: [Value] = []
        if kind == .lpar {
            // checkpoint: try the parenthesized form `with (a as b, c):`
            let save = p, saveDepth = depth
            p += 1
            do {
                while true {
                    items.append(try withItem())
                    if !eat(.comma) || kind == .rpar { break }
                }
                try expect(.rpar)
                if kind != .colon { throw unexpected() }
            } catch {
                p = save
                depth = saveDepth
                items = []
            }
        }
        if items.isEmpty {
            repeat { items.append(try withItem()) } while eat(.comma)
        }
        try expect(.colon)
        let body = try block()
        return Node(isAsync ? K.AsyncWith : K.With, .list(items), .list(body), .null, at: pos(s))
    }

    func withItem() throws(SyntaxError) -> Value {
        let e = try expression()
        var v: Value = .null
        if eat(.kAs) {
            let t = try starTarget()
            if kind != .comma && kind != .rpar && kind != .colon { throw unexpected() }
            v = .node(try toTarget(t, ctxStore))
        }
        return .node(Node(K.withitem, .node(e), v))
    }

    func tryStatement() throws(SyntaxError) -> Node {
        let s = p
        p += 1
        try expect(.colon)
        let body = try block()
        var handlers: [Value] = []
        var star: Bool? = nil
        while kind == .kExcept {
            let hs = p
            p += 1
            let isStar = eat(.star)
            if let st = star, st != isStar {
                throw err("cannot have both 'except' and 'except*' on the same 'try'", tk[hs])
            }
            star = isStar
            var type: Value = .null, name: Value = .null
            if kind != .colon || isStar {
                let e = try expression()
                if kind == .comma { throw err("multiple exception types must be parenthesized", node: e) }
                type = .node(e)
                if eat(.kAs) { name = .string(try expectName()) }
            }
            try expect(.colon)
            let hb = try block()
            handlers.append(.node(Node(K.ExceptHandler, type, name, .list(hb), at: pos(hs))))
        }
        let orelse = handlers.isEmpty ? [] : try elseBlock()
        var final: [Value] = []
        if eat(.kFinally) {
            try expect(.colon)
            final = try block()
        }
        if handlers.isEmpty && final.isEmpty { throw err("expected 'except' or 'finally' block", tk[p]) }
        return Node(star == true ? K.TryStar : K.Try, .list(body), .list(handlers), .list(orelse), .list(final), at: pos(s))
    }

    // MARK: simple statements

    func simpleStatement() throws(SyntaxError) -> Node {
        let s = p
        switch kind {
        case .kPass: p += 1; return Node(K.Pass, at: pos(s))
        case .kBreak: p += 1; return Node(K.Break, at: pos(s))
        case .kContinue: p += 1; return Node(K.Continue, at: pos(s))
        case .kReturn:
            p += 1
            let v: Value = atEndOfSimple ? .null : .node(try starExpressions())
            return Node(K.Return, v, at: pos(s))
        case .kRaise:
            p += 1
            var exc: Value = .null, cause: Value = .null
            if !atEndOfSimple {
                exc = .node(try expression())
                if eat(.kFrom) { cause = .node(try expression()) }
            }
            return Node(K.Raise, exc, cause, at: pos(s))
        case .kGlobal, .kNonlocal:
            let g = kind == .kGlobal
            p += 1
            var names: [Value] = []
            repeat { names.append(.string(try expectName())) } while eat(.comma)
            return Node(g ? K.Global : K.Nonlocal, .list(names), at: pos(s))
        case .kDel:
            p += 1
            var targets: [Value] = []
            repeat {
                if atEndOfSimple { break }
                targets.append(.node(try toTarget(try bitwiseOr(), ctxDel)))
            } while eat(.comma)
            if targets.isEmpty || !atEndOfSimple { throw unexpected() }
            return Node(K.Delete, .list(targets), at: pos(s))
        case .kAssert:
            p += 1
            let test = try expression()
            var msg: Value = .null
            if eat(.comma) { msg = .node(try expression()) }
            return Node(K.Assert, .node(test), msg, at: pos(s))
        case .kImport:
            p += 1
            var names: [Value] = []
            repeat {
                let a = p
                let n = try dottedName()
                var asn: Value = .null
                if eat(.kAs) { asn = .string(try expectName()) }
                names.append(.node(Node(K.alias, .string(n), asn, at: pos(a))))
            } while eat(.comma)
            return Node(K.Import, .list(names), at: pos(s))
        case .kFrom:
            p += 1
            var level = 0
            while true {
                if eat(.dot) { level += 1 } else if eat(.ellipsis) { level += 3 } else { break }
            }
            var module: Value = .null
            if kind != .kImport || level == 0 { module = .string(try dottedName()) }
            try expect(.kImport)
            var names: [Value] = []
            if kind == .star {
                p += 1
                names.append(.node(Node(K.alias, .string("*"), .null, at: pos(p - 1))))
            } else {
                let paren = eat(.lpar)
                repeat {
                    if paren && kind == .rpar && !names.isEmpty { break }
                    let a = p
                    let n = try expectName()
                    var asn: Value = .null
                    if eat(.kAs) { asn = .string(try expectName()) }
                    names.append(.node(Node(K.alias, .string(n), asn, at: pos(a))))
                } while eat(.comma)
                if paren { try expect(.rpar) }
                else if tk[p - 1].kind == .comma { throw err("trailing comma not allowed without surrounding parentheses", tk[p - 1]) }
            }
            return Node(K.ImportFrom, module, .list(names), .int(level), at: pos(s))
        case .name where isSoft(p, "type") && kind(at: 1) == .name && (kind(at: 2) == .equal || kind(at: 2) == .lsqb):
            p += 1
            let n = name(p)
            n.set("ctx", .node(ctxStore))
            p += 1
            let tps = try typeParams()
            try expect(.equal)
            let v = try expression()
            return Node(K.TypeAlias, .node(n), .list(tps), .node(v), at: pos(s))
        default:
            return try expressionStatement()
        }
    }

    var atEndOfSimple: Bool { kind == .newline || kind == .semi || kind == .endmarker }

    func dottedName() throws(SyntaxError) -> String {
        var n = try expectName()
        while kind == .dot {
            p += 1
            n += "." + (try expectName())
        }
        return n
    }

    func expressionStatement() throws(SyntaxError) -> Node {
        let s = p
        let first = kind == .kYield ? try yieldExpr() : try starExpressions()
        if kind == .colon {
            p += 1
            let simple: Int
            switch first.type {
            case "Name": simple = tk[s].kind == .lpar ? 0 : 1
            case "Attribute", "Subscript": simple = 0
            case "Tuple": throw err("only single target (not tuple) can be annotated", node: first)
            case "List": throw err("only single target (not list) can be annotated", node: first)
            default: throw err("illegal target for annotation", node: first)
            }
            let target = try toTarget(first, ctxStore)
            let ann = try expression()
            var v: Value = .null
            if eat(.equal) { v = .node(kind == .kYield ? try yieldExpr() : try starExpressions()) }
            return Node(K.AnnAssign, .node(target), .node(ann), v, .int(simple), at: pos(s))
        }
        if let op = binOp(kind, aug: true) {
            switch first.type {
            case "Name", "Attribute", "Subscript": break
            default: throw err("'\(describe(first))' is an illegal expression for augmented assignment", node: first)
            }
            p += 1
            let target = try toTarget(first, ctxStore)
            let v = kind == .kYield ? try yieldExpr() : try starExpressions()
            return Node(K.AugAssign, .node(target), .node(op), .node(v), at: pos(s))
        }
        if kind == .equal {
            var targets: [Value] = []
            var last = first
            while eat(.equal) {
                targets.append(.node(try toTarget(last, ctxStore)))
                last = kind == .kYield ? try yieldExpr() : try starExpressions()
            }
            return Node(K.Assign, .list(targets), .node(last), .null, at: pos(s))
        }
        if !atEndOfSimple { throw unexpected() }
        return Node(K.Expr, .node(first), at: pos(s))
    }

    func describe(_ n: Node) -> String {
        switch n.type {
        case "Call": return "function call"
        case "Constant":
            if case let .constant(c)? = n["value"] {
                switch c {
                case .bool(true): return "True"
                case .bool(false): return "False"
                case .none: return "None"
                case .ellipsis: return "ellipsis"
                default: return "literal"
                }
            }
            return "literal"
        case "JoinedStr": return "f-string expression"
        case "Compare": return "comparison"
        case "BoolOp", "BinOp", "UnaryOp": return "expression"
        case "Lambda": return "lambda"
        case "IfExp": return "conditional expression"
        case "NamedExpr": return "named expression"
        case "Await": return "await expression"
        case "Yield", "YieldFrom": return "yield expression"
        case "GeneratorExp": return "generator expression"
        case "ListComp": return "list comprehension"
        case "SetComp": return "set comprehension"
        case "DictComp": return "dict comprehension"
        case "Dict": return "dict literal"
        case "Set": return "set display"
        case "Starred": return "starred"
        case "Tuple": return "tuple"
        case "List": return "list"
        default: return "expression"
        }
    }

    /// Checks an expression as an assignment/deletion target and sets its context.
    func toTarget(_ n: Node, _ ctx: Node) throws(SyntaxError) -> Node {
        switch n.type {
        case "Name":
            n.set("ctx", .node(ctx))
        case "Attribute", "Subscript":
            n.set("ctx", .node(ctx))
        case "Tuple", "List":
            for e in n["elts"]!.nodes { _ = try toTarget(e, ctx) }
            n.set("ctx", .node(ctx))
        case "Starred" where ctx !== ctxDel:
            _ = try toTarget(n["value"]!.node!, ctx)
            n.set("ctx", .node(ctx))
        default:
            let verb = ctx === ctxDel ? "delete" : "assign to"
            throw err("cannot \(verb) \(describe(n))", node: n)
        }
        return n
    }

    /// star_targets (for `for` and comprehensions): items at the bitwise-or level.
    func starTargets() throws(SyntaxError) -> Node {
        let s = p
        let first = try starTarget()
        if kind != .comma { return try toTarget(first, ctxStore) }
        var elts: [Value] = [.node(try toTarget(first, ctxStore))]
        while eat(.comma) {
            if kind == .kIn || kind == .equal { break }
            elts.append(.node(try toTarget(try starTarget(), ctxStore)))
        }
        return Node(K.Tuple, .list(elts), .node(ctxStore), at: pos(s))
    }

    func starTarget() throws(SyntaxError) -> Node {
        let s = p
        if eat(.star) {
            if kind == .star { throw unexpected() }
            try enter()
            defer { depth -= 1 }
            let v = try starTarget()
            return Node(K.Starred, .node(v), .node(ctxStore), at: pos(s))
        }
        return try bitwiseOr()
    }

    // MARK: match statement

    func matchStatement() throws(SyntaxError) -> Node? {
        let s = p
        let saveDepth = depth
        p += 1
        var subject: Node
        do {
            if kind == .colon || kind == .newline || kind == .equal { p = s; return nil }
            let ss = p
            let first = kind == .star ? try starExpression() : try namedExpression()
            if kind == .comma {
                var elts: [Value] = [.node(first)]
                while eat(.comma) {
                    if kind == .colon { break }
                    elts.append(.node(kind == .star ? try starExpression() : try namedExpression()))
                }
                subject = Node(K.Tuple, .list(elts), .node(ctxLoad), at: pos(ss))
            } else {
                if first.type == "Starred" { throw unexpected() }
                subject = first
            }
            if kind != .colon { p = s; return nil }
        } catch {
            p = s
            depth = saveDepth
            return nil
        }
        p += 1
        try expect(.newline)
        if kind != .indent { throw err("expected an indented block", tk[p]) }
        p += 1
        var cases: [Value] = []
        while isSoft(p, "case") {
            p += 1
            let pattern = try patterns()
            var guardV: Value = .null
            if eat(.kIf) { guardV = .node(try namedExpression()) }
            try expect(.colon)
            let body = try block()
            cases.append(.node(Node(K.match_case, .node(pattern), guardV, .list(body))))
        }
        if cases.isEmpty { throw err("expected 'case'", tk[p]) }
        try expect(.dedent)
        return Node(K.Match, .node(subject), .list(cases), at: pos(s))
    }

    func patterns() throws(SyntaxError) -> Node {
        let s = p
        let first = try maybeStarPattern()
        if kind != .comma {
            if first.type == "MatchStar" { throw err("invalid syntax", node: first) }
            return first
        }
        var items: [Value] = [.node(first)]
        while eat(.comma) {
            if kind == .colon || kind == .kIf { break }
            items.append(.node(try maybeStarPattern()))
        }
        return Node(K.MatchSequence, .list(items), at: pos(s))
    }

    func maybeStarPattern() throws(SyntaxError) -> Node {
        let s = p
        if eat(.star) {
            let n = try expectName()
            return Node(K.MatchStar, n == "_" ? .null : .string(n), at: pos(s))
        }
        return try pattern()
    }

    func pattern() throws(SyntaxError) -> Node {
        try enter()
        defer { depth -= 1 }
        let s = p
        let first = try closedPattern()
        var result = first
        if kind == .vbar {
            var alts: [Value] = [.node(first)]
            while eat(.vbar) { alts.append(.node(try closedPattern())) }
            result = Node(K.MatchOr, .list(alts), at: pos(s))
        }
        if eat(.kAs) {
            if isSoft(p, "_") { throw err("cannot use '_' as a target", tk[p]) }
            let n = try expectName()
            if kind == .dot || kind == .lpar || kind == .equal { throw unexpected() }
            result = Node(K.MatchAs, .node(result), .string(n), at: pos(s))
        }
        return result
    }

    func signedNumber() throws(SyntaxError) -> Node {
        let s = p
        if eat(.minus) {
            guard kind == .number else { throw unexpected() }
            let v = try atom()
            return Node(K.UnaryOp, .node(opUSub), .node(v), at: pos(s))
        }
        guard kind == .number else { throw unexpected() }
        return try atom()
    }

    func isImaginary(_ i: Int) -> Bool { src[Int(tk[i].end) - 1] | 0x20 == 106 }

    func literalExpr() throws(SyntaxError) -> Node {
        let s = p
        if kind == .minus || kind == .number {
            let real = try signedNumber()
            if kind == .plus || kind == .minus {
                if isImaginary(p - 1) { throw err("real number required in complex literal", tk[p - 1]) }
                let o = binOp(kind)!
                p += 1
                guard kind == .number, isImaginary(p) else { throw err("imaginary number required in complex literal", tk[p]) }
                let imag = try atom()
                return Node(K.BinOp, .node(real), .node(o), .node(imag), at: pos(s))
            }
            return real
        }
        if kind == .string || kind == .fstart { return try atom() }
        throw unexpected()
    }

    func closedPattern() throws(SyntaxError) -> Node {
        let s = p
        switch kind {
        case .minus, .number, .string, .fstart:
            let v = try literalExpr()
            if v.type == "JoinedStr" { throw err("patterns may only match literals and attribute lookups", node: v) }
            return Node(K.MatchValue, .node(v), at: pos(s))
        case .kNone, .kTrue, .kFalse:
            let c: ConstantValue = kind == .kNone ? .none : .bool(kind == .kTrue)
            p += 1
            return Node(K.MatchSingleton, .constant(c), at: pos(s))
        case .name:
            if isSoft(p, "_") {
                p += 1
                if kind == .dot || kind == .lpar { throw unexpected() }
                return Node(K.MatchAs, .null, .null, at: pos(s))
            }
            var v = name(p)
            p += 1
            if kind != .dot && kind != .lpar {
                if kind == .equal { throw unexpected() }
                return Node(K.MatchAs, .null, .string(text(s)), at: pos(s))
            }
            while eat(.dot) {
                let a = try expectName()
                v = Node(K.Attribute, .node(v), .string(a), .node(ctxLoad), at: pos(s))
            }
            if kind != .lpar { return Node(K.MatchValue, .node(v), at: pos(s)) }
            p += 1
            var pats: [Value] = [], kwdAttrs: [Value] = [], kwdPats: [Value] = []
            while kind != .rpar {
                if kind == .name && kind(at: 1) == .equal {
                    kwdAttrs.append(.string(text(p)))
                    p += 2
                    kwdPats.append(.node(try pattern()))
                } else {
                    if !kwdAttrs.isEmpty { throw err("positional patterns follow keyword patterns", tk[p]) }
                    pats.append(.node(try pattern()))
                }
                if !eat(.comma) { break }
            }
            try expect(.rpar)
            return Node(K.MatchClass, .node(v), .list(pats), .list(kwdAttrs), .list(kwdPats), at: pos(s))
        case .lpar, .lsqb:
            let close: Tok = kind == .lpar ? .rpar : .rsqb
            p += 1
            var items: [Value] = []
            var sawComma = false
            while kind != close {
                items.append(.node(try maybeStarPattern()))
                if !eat(.comma) { break }
                sawComma = true
            }
            try expect(close)
            if close == .rpar && items.count == 1 && !sawComma, let only = items[0].node {
                if only.type == "MatchStar" { throw err("invalid syntax", node: only) }
                return only  // group pattern
            }
            return Node(K.MatchSequence, .list(items), at: pos(s))
        case .lbrace:
            p += 1
            var keys: [Value] = [], pats: [Value] = [], rest: Value = .null
            while kind != .rbrace {
                if eat(.doublestar) {
                    if isSoft(p, "_") { throw err("invalid syntax", tk[p]) }
                    rest = .string(try expectName())
                    _ = eat(.comma)
                    break
                }
                let ks = p
                var key: Node
                switch kind {
                case .kNone, .kTrue, .kFalse:
                    key = try atom()
                case .name:
                    key = name(p)
                    p += 1
                    if kind != .dot { throw unexpected() }
                    while eat(.dot) {
                        let a = try expectName()
                        key = Node(K.Attribute, .node(key), .string(a), .node(ctxLoad), at: pos(ks))
                    }
                default:
                    key = try literalExpr()
                    if key.type == "JoinedStr" { throw err("patterns may only match literals and attribute lookups", node: key) }
                }
                keys.append(.node(key))
                try expect(.colon)
                pats.append(.node(try pattern()))
                if !eat(.comma) { break }
            }
            try expect(.rbrace)
            return Node(K.MatchMapping, .list(keys), .list(pats), rest, at: pos(s))
        default:
            throw unexpected()
        }
    }

    // MARK: expressions

    /// star_expressions: a tuple when there are commas.
    func starExpressions() throws(SyntaxError) -> Node {
        let s = p
        let first = try starExpression()
        if kind != .comma { return first }
        var elts: [Value] = [.node(first)]
        while eat(.comma) {
            if !startsExpression { break }
            elts.append(.node(try starExpression()))
        }
        return Node(K.Tuple, .list(elts), .node(ctxLoad), at: pos(s))
    }

    var startsExpression: Bool {
        switch kind {
        case .name, .number, .string, .fstart, .lpar, .lsqb, .lbrace, .minus, .plus, .tilde, .star,
             .kNot, .kLambda, .kAwait, .kNone, .kTrue, .kFalse, .ellipsis:
            return true
        default: return false
        }
    }

    func starExpression() throws(SyntaxError) -> Node {
        if kind == .star {
            let s = p
            p += 1
            let v = try bitwiseOr()
            return Node(K.Starred, .node(v), .node(ctxLoad), at: pos(s))
        }
        return try expression()
    }

    /// starred_expression: `'*' expression` (call arguments, subscripts).
    func starredExpression() throws(SyntaxError) -> Node {
        let s = p
        p += 1
        let v = try expression()
        return Node(K.Starred, .node(v), .node(ctxLoad), at: pos(s))
    }

    func starNamedExpression() throws(SyntaxError) -> Node {
        if kind == .star { return try starExpression() }
        return try namedExpression()
    }

    func namedExpression() throws(SyntaxError) -> Node {
        let s = p
        if kind == .name && kind(at: 1) == .colonequal {
            let target = name(p)
            target.set("ctx", .node(ctxStore))
            p += 2
            let v = try expression()
            return Node(K.NamedExpr, .node(target), .node(v), at: pos(s))
        }
        let e = try expression()
        if kind == .colonequal { throw err("cannot use assignment expressions with \(describe(e))", node: e) }
        return e
    }

    func expression() throws(SyntaxError) -> Node {
        if kind == .kLambda { return try lambda() }
        // fast path: a lone name or number ends the expression (no operator can follow)
        if (kind == .name || kind == .number) && endsExpression(kind(at: 1)) { return try atom() }
        try enter()
        defer { depth -= 1 }
        let s = p
        let body = try disjunction()
        if kind == .kIf {
            p += 1
            let test = try disjunction()
            if kind != .kElse { throw err("expected 'else' after 'if' expression", tk[p]) }
            p += 1
            let orelse = try expression()
            return Node(K.IfExp, .node(test), .node(body), .node(orelse), at: pos(s))
        }
        return body
    }

    @inline(__always) func endsExpression(_ k: Tok) -> Bool {
        switch k {
        case .comma, .rpar, .rsqb, .rbrace, .colon, .equal, .newline, .semi: return true
        default: return false
        }
    }

    func lambda() throws(SyntaxError) -> Node {
        try enter()
        defer { depth -= 1 }
        let s = p
        p += 1
        let args = try parameters(lambda: true, close: .colon)
        try expect(.colon)
        let body = try expression()
        return Node(K.Lambda, .node(args), .node(body), at: pos(s))
    }

    func yieldExpr() throws(SyntaxError) -> Node {
        let s = p
        p += 1
        if eat(.kFrom) {
            let v = try expression()
            return Node(K.YieldFrom, .node(v), at: pos(s))
        }
        var v: Value = .null
        if startsExpression { v = .node(try starExpressions()) }
        return Node(K.Yield, v, at: pos(s))
    }

    func disjunction() throws(SyntaxError) -> Node {
        let s = p
        let first = try conjunction()
        if kind != .kOr { return first }
        var vals: [Value] = [.node(first)]
        while eat(.kOr) { vals.append(.node(try conjunction())) }
        return Node(K.BoolOp, .node(opOr), .list(vals), at: pos(s))
    }

    func conjunction() throws(SyntaxError) -> Node {
        let s = p
        let first = try inversion()
        if kind != .kAnd { return first }
        var vals: [Value] = [.node(first)]
        while eat(.kAnd) { vals.append(.node(try inversion())) }
        return Node(K.BoolOp, .node(opAnd), .list(vals), at: pos(s))
    }

    func inversion() throws(SyntaxError) -> Node {
        if kind == .kNot {
            let s = p
            p += 1
            try enter()
            defer { depth -= 1 }
            let v = try inversion()
            return Node(K.UnaryOp, .node(opNot), .node(v), at: pos(s))
        }
        return try comparison()
    }

    func comparison() throws(SyntaxError) -> Node {
        let s = p
        let left = try bitwiseOr()
        var ops: [Value] = [], comps: [Value] = []
        while true {
            let o: Node
            switch kind {
            case .eqequal: o = opEq
            case .notequal: o = opNotEq
            case .less: o = opLt
            case .lessequal: o = opLtE
            case .greater: o = opGt
            case .greaterequal: o = opGtE
            case .kIn: o = opIn
            case .kIs:
                if kind(at: 1) == .kNot { p += 1; o = opIsNot } else { o = opIs }
            case .kNot where kind(at: 1) == .kIn:
                p += 1; o = opNotIn
            default:
                if ops.isEmpty { return left }
                return Node(K.Compare, .node(left), .list(ops), .list(comps), at: pos(s))
            }
            p += 1
            ops.append(.node(o))
            comps.append(.node(try bitwiseOr()))
        }
    }

    func bitwiseOr() throws(SyntaxError) -> Node { try binary(1) }

    /// Precedence climbing over the left-associative binary operators.
    func binary(_ minPrec: Int) throws(SyntaxError) -> Node {
        let s = p
        var left = try factor()
        var chain = 0
        while true {
            let k = kind
            let prec = binPrec(k)
            if prec == 0 || prec < minPrec { return left }
            p += 1
            let right = try binary(prec + 1)
            left = Node(K.BinOp, .node(left), .node(binOp(k)!), .node(right), at: pos(s))
            chain += 1
            if depth + chain > maxDepth { throw err("too many nested expressions", tk[p]) }
        }
    }

    func factor() throws(SyntaxError) -> Node {
        let s = p
        let o: Node
        switch kind {
        case .plus: o = opUAdd
        case .minus: o = opUSub
        case .tilde: o = opInvert
        default: return try power()
        }
        p += 1
        try enter()
        defer { depth -= 1 }
        let v = try factor()
        return Node(K.UnaryOp, .node(o), .node(v), at: pos(s))
    }

    func power() throws(SyntaxError) -> Node {
        let s = p
        var base: Node
        if kind == .kAwait {
            p += 1
            let v = try primary()
            base = Node(K.Await, .node(v), at: pos(s))
        } else {
            base = try primary()
        }
        if kind == .doublestar {
            p += 1
            try enter()
            defer { depth -= 1 }
            let e = try factor()
            base = Node(K.BinOp, .node(base), .node(opPow), .node(e), at: pos(s))
        }
        return base
    }

    func primary() throws(SyntaxError) -> Node {
        let s = p
        var e = try atom()
        var chain = 0
        while true {
            switch kind {
            case .dot:
                p += 1
                let a = try expectName()
                e = Node(K.Attribute, .node(e), .string(a), .node(ctxLoad), at: pos(s))
            case .lpar:
                p += 1
                let (args, kws) = try arguments(callStart: s)
                try expect(.rpar)
                e = Node(K.Call, .node(e), .list(args), .list(kws), at: pos(s))
            case .lsqb:
                p += 1
                let sl = try slices()
                try expect(.rsqb)
                e = Node(K.Subscript, .node(e), .node(sl), .node(ctxLoad), at: pos(s))
            default:
                return e
            }
            chain += 1
            if depth + chain > maxDepth { throw err("too many nested expressions", tk[p]) }
        }
    }

    func slices() throws(SyntaxError) -> Node {
        let s = p
        let first = try slice()
        if kind != .comma && first.type != "Starred" { return first }
        var elts: [Value] = [.node(first)]
        while eat(.comma) {
            if kind == .rsqb { break }
            elts.append(.node(try slice()))
        }
        return Node(K.Tuple, .list(elts), .node(ctxLoad), at: pos(s))
    }

    func slice() throws(SyntaxError) -> Node {
        let s = p
        if kind == .star { return try starredExpression() }
        var lower: Value = .null
        if kind != .colon {
            let e = try namedExpression()
            if kind != .colon { return e }
            if e.type == "NamedExpr" && startsAt(e, s) { throw unexpected() }
            lower = .node(e)
        }
        p += 1
        var upper: Value = .null, step: Value = .null
        if kind != .colon && kind != .comma && kind != .rsqb { upper = .node(try expression()) }
        if eat(.colon) {
            if kind != .comma && kind != .rsqb { step = .node(try expression()) }
        }
        return Node(K.Slice, lower, upper, step, at: pos(s))
    }

    /// Call arguments up to the closing parenthesis (not consumed).
    func arguments(callStart: Int, allowBareGenexp: Bool = true) throws(SyntaxError) -> ([Value], [Value]) {
        var args: [Value] = [], kws: [Value] = []
        var sawKw = false, sawDoubleStar = false
        let open = p - 1
        while kind != .rpar {
            let s = p
            if kind == .doublestar {
                p += 1
                let v = try expression()
                kws.append(.node(Node(K.keyword, .null, .node(v), at: pos(s))))
                sawDoubleStar = true
            } else if kind == .star {
                if sawDoubleStar { throw err("iterable argument unpacking follows keyword argument unpacking", tk[p]) }
                args.append(.node(try starredExpression()))
            } else if kind == .name && kind(at: 1) == .equal {
                let n = text(p)
                p += 2
                let v = try expression()
                kws.append(.node(Node(K.keyword, .string(n), .node(v), at: pos(s))))
                sawKw = true
            } else {
                if kind == .kTrue || kind == .kFalse || kind == .kNone, kind(at: 1) == .equal {
                    throw err("cannot assign to \(text(p))", tk[p])
                }
                let e = try namedExpression()
                if kind == .equal {
                    throw err("expression cannot contain assignment, perhaps you meant \"==\"?", node: e)
                }
                if kind == .kFor || kind == .kAsync {
                    if !allowBareGenexp { throw unexpected() }
                    let gens = try comprehensionClauses()
                    let only = args.isEmpty && kws.isEmpty && kind == .rpar
                    if !only { throw err("Generator expression must be parenthesized", node: e) }
                    args.append(.node(Node(K.GeneratorExp, .node(e), .list(gens), at: pos(open, p))))
                    continue
                }
                if sawDoubleStar { throw err("positional argument follows keyword argument unpacking", node: e) }
                if sawKw { throw err("positional argument follows keyword argument", node: e) }
                args.append(.node(e))
            }
            if !eat(.comma) { break }
            if kind == .rpar, let last = args.last?.node, last.type == "GeneratorExp", args.count == 1 && kws.isEmpty,
               tk[p - 2].kind == .rpar || true {
                // `f(x for x in y,)` is rejected by CPython
                if case .lpar = tk[open].kind, isBareGenexp(last, open) {
                    throw err("Generator expression must be parenthesized", node: last)
                }
            }
        }
        return (args, kws)
    }

    func isBareGenexp(_ g: Node, _ open: Int) -> Bool {
        g.colOffset == col(tk[open].start, tk[open].line) && g.lineno == tk[open].line
    }

    func comprehensionClauses() throws(SyntaxError) -> [Value] {
        var gens: [Value] = []
        while kind == .kFor || (kind == .kAsync && kind(at: 1) == .kFor) {
            let isAsync = eat(.kAsync)
            p += 1
            let target = try starTargets()
            try expect(.kIn)
            let iter = try disjunction()
            var ifs: [Value] = []
            while eat(.kIf) { ifs.append(.node(try disjunction())) }
            gens.append(.node(Node(K.comprehension, .node(target), .node(iter), .list(ifs), .int(isAsync ? 1 : 0))))
        }
        if kind == .kAsync { throw unexpected() }
        return gens
    }

    func atom() throws(SyntaxError) -> Node {
        let s = p
        switch kind {
        case .name:
            p += 1
            return name(s)
        case .number:
            p += 1
            let v: ConstantValue
            do { v = try numberValue(src, Int(tk[s].start), Int(tk[s].end)) } catch { throw err(error.message, tk[s]) }
            return Node(K.Constant, .constant(v), .null, at: pos(s))
        case .kNone, .kTrue, .kFalse, .ellipsis:
            let v: ConstantValue = kind == .kNone ? .none : kind == .kTrue ? .bool(true) : kind == .kFalse ? .bool(false) : .ellipsis
            p += 1
            return Node(K.Constant, .constant(v), .null, at: pos(s))
        case .string, .fstart:
            return try strings()
        case .lpar:
            try enter()
            defer { depth -= 1 }
            p += 1
            if eat(.rpar) { return Node(K.Tuple, .list([]), .node(ctxLoad), at: pos(s)) }
            if kind == .kYield {
                let y = try yieldExpr()
                try expect(.rpar)
                return y
            }
            let first = try starNamedExpression()
            if kind == .kFor || kind == .kAsync {
                if first.type == "Starred" { throw err("iterable unpacking cannot be used in comprehension", node: first) }
                let gens = try comprehensionClauses()
                try expect(.rpar)
                return Node(K.GeneratorExp, .node(first), .list(gens), at: pos(s))
            }
            if eat(.rpar) {
                if first.type == "Starred" { throw err("cannot use starred expression here", node: first) }
                return first
            }
            var elts: [Value] = [.node(first)]
            if first.type == "NamedExpr" && kind != .comma { throw unexpected() }
            while eat(.comma) {
                if kind == .rpar { break }
                elts.append(.node(try starNamedExpression()))
            }
            try expect(.rpar)
            return Node(K.Tuple, .list(elts), .node(ctxLoad), at: pos(s))
        case .lsqb:
            try enter()
            defer { depth -= 1 }
            p += 1
            var elts: [Value] = []
            while kind != .rsqb {
                let e = try starNamedExpression()
                if elts.isEmpty && (kind == .kFor || kind == .kAsync) {
                    if e.type == "Starred" { throw err("iterable unpacking cannot be used in comprehension", node: e) }
                    let gens = try comprehensionClauses()
                    try expect(.rsqb)
                    return Node(K.ListComp, .node(e), .list(gens), at: pos(s))
                }
                elts.append(.node(e))
                if !eat(.comma) { break }
            }
            try expect(.rsqb)
            return Node(K.List, .list(elts), .node(ctxLoad), at: pos(s))
        case .lbrace:
            try enter()
            defer { depth -= 1 }
            return try braces()
        default:
            throw unexpected()
        }
    }

    func braces() throws(SyntaxError) -> Node {
        let s = p
        p += 1
        if eat(.rbrace) { return Node(K.Dict, .list([]), .list([]), at: pos(s)) }
        var first: Node? = nil
        if kind != .doublestar {
            let e = try starNamedExpression()
            if kind != .colon {
                var elts: [Value] = [.node(e)]
                if kind == .kFor || kind == .kAsync {
                    if e.type == "Starred" { throw err("iterable unpacking cannot be used in comprehension", node: e) }
                    let gens = try comprehensionClauses()
                    try expect(.rbrace)
                    return Node(K.SetComp, .node(e), .list(gens), at: pos(s))
                }
                while eat(.comma) {
                    if kind == .rbrace { break }
                    elts.append(.node(try starNamedExpression()))
                }
                try expect(.rbrace)
                return Node(K.Set, .list(elts), at: pos(s))
            }
            if e.type == "Starred" || (e.type == "NamedExpr" && startsAt(e, s + 1)) { throw unexpected() }
            first = e
        }
        var keys: [Value] = [], vals: [Value] = []
        while kind != .rbrace {
            if first == nil && eat(.doublestar) {
                keys.append(.null)
                vals.append(.node(try bitwiseOr()))
            } else {
                let k: Node
                if let f = first { k = f; first = nil } else { k = try expression() }
                try expect(.colon)
                let v = try expression()
                if keys.isEmpty && (kind == .kFor || kind == .kAsync) {
                    let gens = try comprehensionClauses()
                    try expect(.rbrace)
                    return Node(K.DictComp, .node(k), .node(v), .list(gens), at: pos(s))
                }
                keys.append(.node(k))
                vals.append(.node(v))
            }
            if !eat(.comma) { break }
        }
        try expect(.rbrace)
        return Node(K.Dict, .list(keys), .list(vals), at: pos(s))
    }
}
