// String, bytes and f-string literals: decoding and CPython's concatenation rules.

extension Parser {
    func strings() throws(SyntaxError) -> Node {
        let s = p
        var parts: [Node] = []
        var anyF = false, anyBytes = false, anyStr = false
        while kind == .string || kind == .fstart {
            if kind == .string {
                let c = try stringConstant(p)
                if case .bytes? = constantOf(c) { anyBytes = true } else { anyStr = true }
                parts.append(c)
                p += 1
            } else {
                parts.append(try fstring())
                anyF = true
            }
        }
        if anyBytes && (anyStr || anyF) { throw err("cannot mix bytes and nonbytes literals", tk[s]) }
        if parts.count == 1 && !anyF { return parts[0] }
        if anyBytes {
            var out: [UInt8] = []
            for c in parts { if case let .bytes(b)? = constantOf(c) { out += b } }
            return Node(K.Constant, .constant(.bytes(out)), .null, at: pos(s))
        }
        var flat: [Node] = []
        for c in parts {
            if c.type == "JoinedStr" { flat += c["values"]!.nodes } else { flat.append(c) }
        }
        let folded = fold(flat, dropEmpty: anyF)
        if !anyF { return folded[0] }
        return Node(K.JoinedStr, .list(folded.map { .node($0) }), at: pos(s))
    }

    func constantOf(_ n: Node) -> ConstantValue? {
        if case let .constant(c)? = n["value"] { return c }
        return nil
    }

    /// Folds runs of adjacent string constants into one and drops empty ones.
    func fold(_ flat: [Node], dropEmpty: Bool = true) -> [Node] {
        var out: [Node] = []
        var i = 0
        while i < flat.count {
            var e = flat[i]
            if e.type == "Constant" {
                if i + 1 < flat.count && flat[i + 1].type == "Constant" {
                    var bytes: [UInt8] = []
                    var last = e
                    var j = i
                    while j < flat.count && flat[j].type == "Constant" {
                        bytes += strBytes(constantOf(flat[j])!)
                        last = flat[j]
                        j += 1
                    }
                    i = j - 1
                    e = Node(K.Constant, .constant(makeStr(bytes)), e["kind"]!, at: pos(e, last))
                }
                if dropEmpty && strBytes(constantOf(e)!).isEmpty { i += 1; continue }
            }
            out.append(e)
            i += 1
        }
        return out
    }

    /// A plain (non-f) string or bytes token as a Constant.
    func stringConstant(_ i: Int) throws(SyntaxError) -> Node {
        let t = tk[i]
        var q = Int(t.start)
        var raw = false, bytes = false, u = false
        while src[q] != 34 && src[q] != 39 {
            switch src[q] | 0x20 {
            case 114: raw = true
            case 98: bytes = true
            default: u = true
            }
            q += 1
        }
        let quote = src[q]
        let triple = src[q + 1] == quote && src[q + 2] == quote && Int(t.end) - q >= 6
        let qlen = triple ? 3 : 1
        let bodyStart = q + qlen, bodyEnd = Int(t.end) - qlen
        let v: ConstantValue
        if bytes {
            for j in bodyStart..<bodyEnd where src[j] >= 128 {
                throw err("bytes can only contain ASCII literal characters", t)
            }
            v = .bytes(raw ? Array(src[bodyStart..<bodyEnd]) : try decodeEscapes(bodyStart, bodyEnd, bytes: true, t))
        } else {
            var plain = true
            if !raw { for j in bodyStart..<bodyEnd where src[j] == 92 { plain = false; break } }
            v = plain ? .str(String(decoding: src[bodyStart..<bodyEnd], as: UTF8.self))
                : makeStr(try decodeEscapes(bodyStart, bodyEnd, bytes: false, t))
        }
        return Node(K.Constant, .constant(v), u ? .string("u") : .null, at: pos(i, i))
    }

    func fstring() throws(SyntaxError) -> Node {
        let s = p
        var raw = false
        var q = Int(tk[s].start)
        while src[q] != 34 && src[q] != 39 { if src[q] | 0x20 == 114 { raw = true }; q += 1 }
        p += 1
        var values: [Node] = []
        while true {
            switch kind {
            case .fmiddle:
                let c = try middleConstant(p, raw: raw)
                if !strBytes(constantOf(c)!).isEmpty { values.append(c) }
                p += 1
            case .lbrace:
                let f = try fstringField(raw: raw)
                if f.type == "JoinedStr" { values += f["values"]!.nodes } else { values.append(f) }
            case .fend:
                p += 1
                return Node(K.JoinedStr, .list(values.map { .node($0) }), at: pos(s))
            default:
                throw unexpected()
            }
        }
    }

    func middleConstant(_ i: Int, raw: Bool) throws(SyntaxError) -> Node {
        let t = tk[i]
        let v: ConstantValue
        let a = Int(t.start), b = Int(t.end)
        var plain = true
        for j in a..<b where src[j] == 92 || src[j] == 123 || src[j] == 125 { plain = false; break }
        if plain {
            v = .str(String(decoding: src[a..<b], as: UTF8.self))
        } else {
            v = makeStr(try decodeEscapes(a, b, bytes: false, t, raw: raw, braces: true))
        }
        return Node(K.Constant, .constant(v), .null, at: pos(i, i))
    }

    func fstringField(raw: Bool) throws(SyntaxError) -> Node {
        let s = p
        if specDepth >= 3 { throw err("f-string: expressions nested too deeply", tk[p]) }
        p += 1
        try enter()
        defer { depth -= 1 }
        if kind == .rbrace { throw err("f-string: valid expression required before '}'", tk[p]) }
        let value = kind == .kYield ? try yieldExpr() : try starExpressions()
        let debug = eat(.equal)
        var conversion = -1
        var convTok = -1
        if kind == .exclamation {
            convTok = p
            p += 1
            guard kind == .name else { throw err("f-string: missing conversion character", tk[p]) }
            if tk[p].start != tk[p - 1].end {
                throw err("f-string: conversion type must come right after the exclamanation mark", tk[p])
            }
            let c = text(p)
            guard c == "s" || c == "r" || c == "a" else {
                throw err("f-string: invalid conversion character '\(c)': expected 's', 'r', or 'a'", tk[p])
            }
            conversion = Int(c.utf8.first!)
            p += 1
        }
        var spec: Value = .null
        var specTok = -1
        if kind == .colon {
            specTok = p
            p += 1
            specDepth += 1
            defer { specDepth -= 1 }
            var items: [Node] = []
            while kind != .rbrace {
                if kind == .fmiddle {
                    let c = try middleConstant(p, raw: raw)
                    if !strBytes(constantOf(c)!).isEmpty { items.append(c) }
                    p += 1
                } else if kind == .lbrace {
                    let f = try fstringField(raw: raw)
                    if f.type == "JoinedStr" { items += f["values"]!.nodes } else { items.append(f) }
                } else {
                    throw err("f-string: expecting '}'", tk[p])
                }
            }
            items = fold(items)
            spec = .node(Node(K.JoinedStr, .list(items.map { .node($0) }), at: pos(specTok, p - 1)))
        }
        if kind != .rbrace {
            throw err(kind == .exclamation || kind == .equal ? "f-string: expecting ':' or '}'" : "f-string: expecting '}'", tk[p])
        }
        let close = p
        p += 1
        if debug && conversion == -1 && specTok < 0 { conversion = 114 }
        let fv = Node(K.FormattedValue, .node(value), .int(conversion), spec, at: pos(s))
        if !debug { return fv }
        let term = convTok >= 0 ? convTok : specTok >= 0 ? specTok : close
        // the expression's source text, without comments (which lie between tokens)
        var raw8: [UInt8] = []
        var at = Int(tk[s].end)
        func gap(_ upTo: Int) {
            var j = at
            while j < upTo {
                if src[j] == 35 { while j < upTo && src[j] != 10 { j += 1 }; continue }
                raw8.append(src[j])
                j += 1
            }
        }
        for t in (s + 1)..<term {
            gap(Int(tk[t].start))
            raw8 += src[Int(tk[t].start)..<Int(tk[t].end)]
            at = Int(tk[t].end)
        }
        gap(Int(tk[term].start))
        let text: ConstantValue = raw8.contains(92) && !raw
            ? makeStr(try decodeBytes(raw8, tk[s]))
            : .str(String(decoding: raw8, as: UTF8.self))
        let t0 = tk[s], t1 = tk[term]
        let dpos = Pos(line: t0.line, col: col(t0.start, t0.line) + 1, endLine: t1.line, endCol: col(t1.start, t1.line))
        let dc = Node(K.Constant, .constant(text), .null, at: dpos)
        return Node(K.JoinedStr, .list([.node(dc), .node(fv)]), at: pos(s))
    }

    /// Decodes backslash escapes (and, in f-string parts, doubled braces) to UTF-8 bytes;
    /// lone surrogates are kept in the `surrogatepass` encoding.
    func decodeEscapes(_ a: Int, _ b: Int, bytes: Bool, _ t: Token, raw: Bool = false, braces: Bool = false) throws(SyntaxError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b - a)
        var i = a
        while i < b {
            let c = src[i]
            if braces && (c == 123 || c == 125) && i + 1 < b && src[i + 1] == c {
                out.append(c); i += 2; continue
            }
            if c != 92 || raw {
                if raw && c == 92 && braces { out.append(c); i += 1; continue }
                out.append(c); i += 1; continue
            }
            i += 1
            if i >= b { out.append(92); break }
            let d = src[i]
            i += 1
            switch d {
            case 10: break
            case 13: if i < b && src[i] == 10 { i += 1 }
            case 92: out.append(92)
            case 39: out.append(39)
            case 34: out.append(34)
            case 97: out.append(7)
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 118: out.append(11)
            case 48...55:
                var v = UInt32(d - 48)
                var k = 0
                while k < 2 && i < b && src[i] >= 48 && src[i] <= 55 { v = v * 8 + UInt32(src[i] - 48); i += 1; k += 1 }
                if bytes { out.append(UInt8(truncatingIfNeeded: v)) } else { appendScalar(&out, v) }
            case 120:
                guard i + 2 <= b, isHex(src[i]), isHex(src[i + 1]) else {
                    throw err(bytes ? "(value error) invalid \\x escape at position \(i - 2 - a)"
                        : "(unicode error) 'unicodeescape' codec can't decode bytes in position \(i - 2 - a)-\(i - 1 - a): truncated \\xXX escape", t)
                }
                let v = hexValue(i, 2)
                i += 2
                if bytes { out.append(UInt8(v)) } else { appendScalar(&out, v) }
            case 117 where !bytes, 85 where !bytes:
                let n = d == 117 ? 4 : 8
                var ok = i + n <= b
                if ok { for j in i..<(i + n) where !isHex(src[j]) { ok = false } }
                guard ok else {
                    throw err("(unicode error) 'unicodeescape' codec can't decode bytes in position \(i - 2 - a)-\(min(b, i + n) - 1 - a): truncated \\\(d == 117 ? "uXXXX" : "UXXXXXXXX") escape", t)
                }
                let v = hexValue(i, n)
                if v > 0x10FFFF {
                    throw err("(unicode error) 'unicodeescape' codec can't decode bytes in position \(i - 2 - a)-\(i + n - 1 - a): illegal Unicode character", t)
                }
                i += n
                appendScalar(&out, v)
            case 78 where !bytes:
                var ok = false
                if i < b && src[i] == 123 {
                    var j = i + 1
                    while j < b && src[j] != 125 { j += 1 }
                    if j < b, let v = lookupUnicodeName(String(decoding: src[(i + 1)..<j], as: UTF8.self)) {
                        appendScalar(&out, v)
                        i = j + 1
                        ok = true
                    }
                }
                if !ok {
                    throw err("(unicode error) 'unicodeescape' codec can't decode bytes in position \(i - 2 - a)-\(i - 1 - a): malformed \\N character escape", t)
                }
            default:
                out.append(92)
                i -= 1  // keep the character (invalid escapes are only warnings)
            }
        }
        return out
    }

    func decodeBytes(_ b: [UInt8], _ t: Token) throws(SyntaxError) -> [UInt8] {
        let sub = Parser(src: b + [0], tokens: tk, lineStarts: lineStarts)
        return try sub.decodeEscapes(0, b.count, bytes: false, t)
    }

    func hexValue(_ i: Int, _ n: Int) -> UInt32 {
        var v: UInt32 = 0
        for j in i..<(i + n) {
            let c = src[j]
            let d: UInt32 = c <= 57 ? UInt32(c - 48) : UInt32((c | 0x20) - 87)
            v = v &* 16 &+ d
        }
        return v
    }
}

/// Appends a code point in UTF-8 (surrogates encoded as 3 bytes, like `surrogatepass`).
func appendScalar(_ out: inout [UInt8], _ v: UInt32) {
    if v < 0x80 { out.append(UInt8(v)) }
    else if v < 0x800 { out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F))) }
    else if v < 0x10000 {
        out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
    }
}

func strBytes(_ c: ConstantValue) -> [UInt8] {
    switch c {
    case let .str(s): return Array(s.utf8)
    case let .strWithSurrogates(b): return b
    default: return []
    }
}

func makeStr(_ b: [UInt8]) -> ConstantValue {
    var i = 0
    while i + 1 < b.count {
        if b[i] == 0xED && b[i + 1] >= 0xA0 { return .strWithSurrogates(b) }
        i += 1
    }
    return .str(String(decoding: b, as: UTF8.self))
}

/// Names of the scalars CPython 3.13 (Unicode 15.1) names, except the algorithmically named
/// CJK ideographs and Hangul syllables (handled in `lookupUnicodeName`), built on first use.
private let unicodeNames: [String: UInt32] = {
    var d: [String: UInt32] = [:]
    d.reserveCapacity(60_000)
    var v: UInt32 = 0
    while v <= 0x10FFFF {
        switch v {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0xD800...0xF8FF, 0x17000...0x187F7,
             0x18D00...0x18D08, 0x20000...0x323AF:
            v += 1
            continue
        case 0x323B0...0xDFFFF, 0xF0000...0x10FFFF:
            v = v < 0xE0000 ? 0xE0000 : 0x110000
            continue
        default: break
        }
        if let u = Unicode.Scalar(v), let n = u.properties.name, let a = u.properties.age,
           (a.major, a.minor) <= (15, 1) {
            d[n] = v
        }
        v += 1
    }
    return d
}()

func lookupUnicodeName(_ name: String) -> UInt32? {
    let key = name.uppercased()
    if let v = unicodeNames[key] ?? unicodeAliases[key] { return v }
    // algorithmic names: CPython matches these case-sensitively
    if name.hasPrefix("CJK UNIFIED IDEOGRAPH-"), let v = UInt32(name.dropFirst(22), radix: 16),
       let u = Unicode.Scalar(v), u.properties.name == name, let a = u.properties.age, (a.major, a.minor) <= (15, 1) {
        return v
    }
    if name.hasPrefix("HANGUL SYLLABLE ") {
        for v in UInt32(0xAC00)...0xD7A3 where Unicode.Scalar(v)?.properties.name == name { return v }
    }
    return nil
}
