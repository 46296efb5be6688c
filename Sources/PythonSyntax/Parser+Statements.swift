// Statements, by recursive descent: the module, blocks, compound statements (def, class,
// if, while, for, with, try) and simple ones. `match` is in Parser+Patterns.swift.

extension Parser {
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
            (bases, keywords) = try arguments(allowBareGenexp: false)
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
            // `with (a as b, c):` when `):` closes the items; else `(` opens the first expression
            let start = checkpoint()
            p += 1
            do {
                while true {
                    items.append(try withItem())
                    if !eat(.comma) || kind == .rpar { break }
                }
                try expect(.rpar)
                if kind != .colon { throw unexpected() }
            } catch {
                rewind(to: start)
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
}
