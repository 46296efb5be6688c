// Expressions: the layers of CPython's grammar from star_expressions down to atoms, with
// precedence climbing (Pratt-style binding powers, binPrec) over the left-associative binary
// operators; assignment targets, which are expressions checked after the fact.

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

extension Parser {
    // MARK: expression lists and named expressions

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

    // MARK: boolean operators and comparisons

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

    // MARK: binary and unary operators

    func bitwiseOr() throws(SyntaxError) -> Node { try binary(1) }

    /// Precedence climbing over the left-associative binary operators: an operator binds when
    /// its precedence (binPrec) is at least `minPrec`; its right operand binds tighter.
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

    // MARK: primaries: attributes, calls, subscripts

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
                let (args, kws) = try arguments()
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

    /// Call arguments (or class bases) after `(`, up to the closing parenthesis (not consumed).
    func arguments(allowBareGenexp: Bool = true) throws(SyntaxError) -> ([Value], [Value]) {
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
            // `f(x for x in y,)` is rejected by CPython
            if kind == .rpar, args.count == 1 && kws.isEmpty, let last = args[0].node, last.type == "GeneratorExp",
               isBareGenexp(last, open) {
                throw err("Generator expression must be parenthesized", node: last)
            }
        }
        return (args, kws)
    }

    func isBareGenexp(_ g: Node, _ open: Int) -> Bool {
        g.colOffset == col(tk[open].start, tk[open].line) && g.lineno == tk[open].line
    }

    // MARK: comprehensions

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

    // MARK: atoms and displays

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

    // MARK: targets

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
}
