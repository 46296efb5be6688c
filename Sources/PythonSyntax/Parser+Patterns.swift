// The `match` statement (PEP 634): a soft keyword, so the statement is parsed speculatively
// from a checkpoint, and its patterns, which look like expressions but are their own grammar.

extension Parser {
    /// A `match` statement, or nil (the cursor unmoved) when `match` is a plain name here.
    func matchStatement() throws(SyntaxError) -> Node? {
        let s = p
        let start = checkpoint()
        p += 1
        var subject: Node
        do {
            if kind == .colon || kind == .newline || kind == .equal { rewind(to: start); return nil }
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
            if kind != .colon { rewind(to: start); return nil }
        } catch {
            rewind(to: start)
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
}
