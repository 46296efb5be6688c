// The tokenizer: UTF-8 bytes in, an array of compact tokens out, following CPython's
// tokenizer (indentation with tab consistency, implicit line joining, PEP 701 f-strings).

/// A syntax error as data: CPython's message, 1-based line, 0-based UTF-8 byte column.
public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var lineno: Int
    public var colOffset: Int
    /// "LINE:COL: message" (COL 1-based, as editors and CPython's `offset` count).
    public var description: String { "\(lineno):\(colOffset + 1): \(message)" }
    public init(message: String, lineno: Int, colOffset: Int) {
        self.message = message
        self.lineno = lineno
        self.colOffset = colOffset
    }
}

let maxBrackets = 200
let maxIndent = 100

/// The keyword kind of a name packed little-endian into a UInt64 (names up to 8 bytes).
func keyword(_ k: UInt64) -> Tok? {
    switch k {
    case 0x65736c6146: return .kFalse  // False
    case 0x656e6f4e: return .kNone  // None
    case 0x65757254: return .kTrue  // True
    case 0x646e61: return .kAnd  // and
    case 0x7361: return .kAs  // as
    case 0x747265737361: return .kAssert  // assert
    case 0x636e797361: return .kAsync  // async
    case 0x7469617761: return .kAwait  // await
    case 0x6b61657262: return .kBreak  // break
    case 0x7373616c63: return .kClass  // class
    case 0x65756e69746e6f63: return .kContinue  // continue
    case 0x666564: return .kDef  // def
    case 0x6c6564: return .kDel  // del
    case 0x66696c65: return .kElif  // elif
    case 0x65736c65: return .kElse  // else
    case 0x747065637865: return .kExcept  // except
    case 0x796c6c616e6966: return .kFinally  // finally
    case 0x726f66: return .kFor  // for
    case 0x6d6f7266: return .kFrom  // from
    case 0x6c61626f6c67: return .kGlobal  // global
    case 0x6669: return .kIf  // if
    case 0x74726f706d69: return .kImport  // import
    case 0x6e69: return .kIn  // in
    case 0x7369: return .kIs  // is
    case 0x6164626d616c: return .kLambda  // lambda
    case 0x6c61636f6c6e6f6e: return .kNonlocal  // nonlocal
    case 0x746f6e: return .kNot  // not
    case 0x726f: return .kOr  // or
    case 0x73736170: return .kPass  // pass
    case 0x6573696172: return .kRaise  // raise
    case 0x6e7275746572: return .kReturn  // return
    case 0x797274: return .kTry  // try
    case 0x656c696877: return .kWhile  // while
    case 0x68746977: return .kWith  // with
    case 0x646c656979: return .kYield  // yield
    default: return nil
    }
}

@inline(__always) func isIdentStart(_ c: UInt8) -> Bool {
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c >= 128
}
@inline(__always) func isIdentChar(_ c: UInt8) -> Bool {
    isIdentStart(c) || (c >= 48 && c <= 57)
}
@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
@inline(__always) func isHex(_ c: UInt8) -> Bool {
    isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
}

struct Lexer {
    enum Mode {
        case fstring(quote: UInt8, triple: Bool, raw: Bool)
        case field(depth: Int)
        case spec
    }

    let src: [UInt8]  // ends with 0 sentinel bytes
    let n: Int        // length without the sentinel
    var pos = 0
    var line: Int32 = 1
    var lineStarts: [Int32] = [0]
    var tokens: [Token] = []
    var brackets: [(UInt8, Int32, Int32)] = []  // opener, line, offset
    var indents: [Int] = [0]
    var altIndents: [Int] = [0]
    var modes: [Mode] = []
    var atLineStart = true

    init(_ bytes: [UInt8]) {
        var b = bytes
        n = b.count
        b += [0, 0, 0, 0]  // sentinels: lookahead never runs off the end
        src = b
        tokens.reserveCapacity(n / 4 + 16)
    }

    func error(_ msg: String, at off: Int) -> SyntaxError {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(lineStarts[mid]) <= off { lo = mid } else { hi = mid - 1 }
        }
        return SyntaxError(message: msg, lineno: lo + 1, colOffset: off - Int(lineStarts[lo]))
    }

    mutating func add(_ k: Tok, _ s: Int, _ e: Int, _ startLine: Int32) {
        tokens.append(Token(kind: k, start: Int32(s), end: Int32(e), line: startLine, endLine: line))
    }

    mutating func newLine(at off: Int) {
        line += 1
        lineStarts.append(Int32(off))
    }

    var inFString: Bool {
        if let m = modes.last, case .fstring = m { return true }
        if let m = modes.last, case .spec = m { return true }
        return false
    }

    mutating func run() throws(SyntaxError) -> [Token] {
        while true {
            if let m = modes.last {
                switch m {
                case let .fstring(q, triple, raw):
                    try scanFStringMiddle(quote: q, triple: triple, raw: raw, spec: false)
                    continue
                case .spec:
                    try scanFStringMiddle(quote: 0, triple: false, raw: false, spec: true)
                    continue
                case .field: break
                }
            }
            if atLineStart && brackets.isEmpty {
                if try indentation() { continue }
            }
            if try !next() { break }
        }
        return tokens
    }

    /// Handles the start of a logical line; returns true when it consumed a blank line.
    mutating func indentation() throws(SyntaxError) -> Bool {
        var col = 0, alt = 0
        var contCol = 0  // column of the first backslash that continues the line (0: none, or at column 0)
        var p = pos
        while true {
            let c = src[p]
            if c == 32 { col += 1; alt += 1 }
            else if c == 9 { col = (col / 8 + 1) * 8; alt += 1 }
            else if c == 12 { col = 0; alt = 0 }
            else if c == 92 {
                // As CPython: indentation cannot be split by backslashes; the first backslash's
                // column is the line's indentation, unless it stands at column 0, where the
                // columns counted on past it are.
                if contCol == 0 { contCol = col }
                p = try continuation(at: p)
                continue
            }
            else { break }
            p += 1
        }
        let c = src[p]
        if c == 35 || c == 10 || c == 13 || (c == 0 && p >= n) {
            // blank or comment-only line: no tokens
            if c == 35 { while src[p] != 10 && src[p] != 13 && p < n { p += 1 } }
            if p >= n { pos = p; atLineStart = false; return false }
            if src[p] == 13 && src[p + 1] == 10 { p += 1 }
            p += 1
            pos = p
            newLine(at: p)
            return true
        }
        pos = p
        atLineStart = false
        if contCol != 0 { col = contCol; alt = contCol }
        let top = indents[indents.count - 1]
        if col == top {
            if alt != altIndents[altIndents.count - 1] { throw tabError(p) }
        } else if col > top {
            if indents.count >= maxIndent { throw error("too many levels of indentation", at: p) }
            if alt <= altIndents[altIndents.count - 1] { throw tabError(p) }
            indents.append(col); altIndents.append(alt)
            add(.indent, p, p, line)
        } else {
            while indents.count > 1 && col < indents[indents.count - 1] {
                indents.removeLast(); altIndents.removeLast()
                add(.dedent, p, p, line)
            }
            if col != indents[indents.count - 1] {
                throw error("unindent does not match any outer indentation level", at: p)
            }
            if alt != altIndents[altIndents.count - 1] { throw tabError(p) }
        }
        return false
    }

    /// Consumes the backslash at `b` and its line end; returns where the next line starts.
    mutating func continuation(at b: Int) throws(SyntaxError) -> Int {
        var p = b + 1
        if src[p] == 13 && src[p + 1] == 10 { p += 2 }
        else if src[p] == 10 || src[p] == 13 { p += 1 }
        else if p < n { throw error("unexpected character after line continuation character", at: b) }
        // CPython reads a missing final newline as present, and reports EOF just past the backslash.
        if p >= n { throw error("unexpected EOF while parsing", at: b + 1) }
        newLine(at: p)
        return p
    }

    func tabError(_ p: Int) -> SyntaxError {
        error("inconsistent use of tabs and spaces in indentation", at: p)
    }

    /// Scans one token (or skips whitespace/comments); returns false at the end.
    mutating func next() throws(SyntaxError) -> Bool {
        var c = src[pos]
        while c == 32 || c == 9 || c == 12 { pos += 1; c = src[pos] }
        let start = pos
        let sl = line
        if c == 35 {  // comment
            while src[pos] != 10 && src[pos] != 13 && pos < n { pos += 1 }
            c = src[pos]
        }
        if pos >= n {
            if !modes.isEmpty || !brackets.isEmpty { return try eofInside() }
            if let last = tokens.last, last.kind != .newline && last.kind != .dedent && last.kind != .indent {
                add(.newline, pos, pos, line)
}
            while indents.count > 1 { indents.removeLast(); add(.dedent, pos, pos, line) }
            add(.endmarker, pos, pos, line)
            return false
        }
        if c == 10 || c == 13 {
            let s = pos
            pos += (c == 13 && src[pos + 1] == 10) ? 2 : 1
            if brackets.isEmpty {
                add(.newline, s, pos, line)
                atLineStart = true
            }
            newLine(at: pos)
            return true
        }
        if c == 92 {
            pos = try continuation(at: pos)
            return true
        }
        if isIdentStart(c) {
            var p = pos + 1
            while isIdentChar(src[p]) { p += 1 }
            // string prefixes
            let q = src[p]
            if (q == 34 || q == 39) && p - pos <= 2 {
                var f = false, r = false, b = false, u = false, ok = true
                for i in pos..<p {
                    switch src[i] | 0x20 {
                    case 102: if f || b || u { ok = false }; f = true
                    case 114: if r || u { ok = false }; r = true
                    case 98: if b || f || u { ok = false }; b = true
                    case 117: if p - pos != 1 { ok = false }; u = true
                    default: ok = false
                    }
                }
                if ok {
                    if f { return try fstringStart(start, prefixEnd: p, raw: r) }
                    try string(start, quotePos: p, raw: r)
                    return true
                }
            }
            var nonAscii = false
            for i in pos..<p where src[i] >= 128 { nonAscii = true; break }
            if nonAscii { try checkIdentifier(pos, p) }
            pos = p
            var k = Tok.name
            let len = p - start
            if len >= 2 && len <= 8 {
                var key: UInt64 = 0
                for i in 0..<len { key |= UInt64(src[start + i]) << (8 * UInt64(i)) }
                if let kk = keyword(key) { k = kk }
            }
            add(k, start, p, sl)
            return true
        }
        if isDigit(c) || (c == 46 && isDigit(src[pos + 1])) {
            try number()
            add(.number, start, pos, sl)
            return true
        }
        if c == 34 || c == 39 {
            try string(start, quotePos: pos, raw: false)
            return true
        }
        return try op(c, start)
    }

    func fieldTriple() -> Bool {
        for m in modes.reversed() { if case let .fstring(_, t, _) = m { return t } }
        return false
    }

    mutating func eofInside() throws(SyntaxError) -> Bool {
        if let m = modes.last {
            if case .field = m { throw error("f-string: expecting '}'", at: pos) }
        }
        let (b, _, off) = brackets[brackets.count - 1]
        throw error("'\(Character(Unicode.Scalar(b)))' was never closed", at: Int(off))
    }

    mutating func checkIdentifier(_ s: Int, _ e: Int) throws(SyntaxError) {
        let str = String(decoding: src[s..<e], as: UTF8.self)
        var first = true
        for u in str.unicodeScalars {
            let ok = first ? (u.properties.isXIDStart || u == "_") : u.properties.isXIDContinue
            if !ok {
                let hex = String(u.value, radix: 16, uppercase: true)
                let pad = String(repeating: "0", count: max(0, 4 - hex.count))
                throw error("invalid character '\(u)' (U+\(pad)\(hex))", at: s)
            }
            first = false
        }
    }

    mutating func op(_ c: UInt8, _ start: Int) throws(SyntaxError) -> Bool {
        let c1 = src[pos + 1], c2 = src[pos + 2]
        var k: Tok
        var len = 1
        switch c {
        case 40, 91, 123:  // ( [ {
            k = c == 40 ? .lpar : c == 91 ? .lsqb : .lbrace
            if brackets.count >= maxBrackets { throw error("too many nested parentheses", at: pos) }
            brackets.append((c, line, Int32(pos)))
        case 41, 93, 125:  // ) ] }
            k = c == 41 ? .rpar : c == 93 ? .rsqb : .rbrace
            guard let (o, _, _) = brackets.last else {
                throw error("unmatched '\(Character(Unicode.Scalar(c)))'", at: pos)
            }
            let want: UInt8 = o == 40 ? 41 : o == 91 ? 93 : 125
            if want != c {
                throw error("closing parenthesis '\(Character(Unicode.Scalar(c)))' does not match opening parenthesis '\(Character(Unicode.Scalar(o)))'", at: pos)
            }
            if case let .field(d) = modes.last ?? .spec, d == brackets.count {
                if c != 125 { throw error("f-string: unmatched '\(Character(Unicode.Scalar(c)))'", at: pos) }
                modes.removeLast()
            }
            brackets.removeLast()
        case 58:
            if case let .field(d) = modes.last ?? .spec, d == brackets.count {
                pos += 1
                add(.colon, start, pos, line)
                modes.append(.spec)
                return true
            }
            if c1 == 61 { k = .colonequal; len = 2 } else { k = .colon }
        case 44: k = .comma
        case 59: k = .semi
        case 43: k = c1 == 61 ? .plusequal : .plus; len = c1 == 61 ? 2 : 1
        case 45:
            if c1 == 61 { k = .minequal; len = 2 } else if c1 == 62 { k = .rarrow; len = 2 } else { k = .minus }
        case 42:
            if c1 == 42 { if c2 == 61 { k = .doublestarequal; len = 3 } else { k = .doublestar; len = 2 } }
            else if c1 == 61 { k = .starequal; len = 2 } else { k = .star }
        case 47:
            if c1 == 47 { if c2 == 61 { k = .doubleslashequal; len = 3 } else { k = .doubleslash; len = 2 } }
            else if c1 == 61 { k = .slashequal; len = 2 } else { k = .slash }
        case 124: k = c1 == 61 ? .vbarequal : .vbar; len = c1 == 61 ? 2 : 1
        case 38: k = c1 == 61 ? .amperequal : .amper; len = c1 == 61 ? 2 : 1
        case 60:
            if c1 == 60 { if c2 == 61 { k = .leftshiftequal; len = 3 } else { k = .leftshift; len = 2 } }
            else if c1 == 61 { k = .lessequal; len = 2 }
            else if c1 == 62 { throw error("invalid syntax", at: pos) }
            else { k = .less }
        case 62:
            if c1 == 62 { if c2 == 61 { k = .rightshiftequal; len = 3 } else { k = .rightshift; len = 2 } }
            else if c1 == 61 { k = .greaterequal; len = 2 } else { k = .greater }
        case 61: k = c1 == 61 ? .eqequal : .equal; len = c1 == 61 ? 2 : 1
        case 46:
            if c1 == 46 && c2 == 46 { k = .ellipsis; len = 3 } else { k = .dot }
        case 37: k = c1 == 61 ? .percentequal : .percent; len = c1 == 61 ? 2 : 1
        case 126: k = .tilde
        case 94: k = c1 == 61 ? .circumflexequal : .circumflex; len = c1 == 61 ? 2 : 1
        case 64: k = c1 == 61 ? .atequal : .at; len = c1 == 61 ? 2 : 1
        case 33:
            if c1 == 61 { k = .notequal; len = 2 }
            else if case .field = modes.last ?? .spec { k = .exclamation }
            else { throw error("invalid syntax", at: pos) }
        case 0:
            throw error("source code cannot contain null bytes", at: pos)
        default:
            if c >= 128 { try checkIdentifier(pos, pos + 1) }
            if c < 32 || c == 127 {
                throw error("invalid non-printable character U+\(String(c, radix: 16, uppercase: true))", at: pos)
            }
            throw error("invalid syntax", at: pos)
        }
        pos += len
        add(k, start, pos, line)
        return true
    }

    // MARK: numbers (mirrors tokenizer.c)

    mutating func verifyEnd(_ kind: String) throws(SyntaxError) {
        let c = src[pos]
        func la(_ s: StaticString) -> Bool {
            var i = 0
            for b in UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount) {
                if src[pos + 1 + i] != b { return false }
                i += 1
            }
            return true
        }
        var r = false
        switch c {
        case 97: r = la("nd")
        case 101: r = la("lse")
        case 102: r = la("or")
        case 105: let d = src[pos + 1]; r = d == 102 || d == 110 || d == 115
        case 111: r = la("r")
        case 110: r = la("ot")
        default: break
        }
        if r { return }
        if c < 128 && isIdentChar(c) {
            throw error("invalid \(kind) literal", at: pos)
        }
    }

    mutating func decimalTail() throws(SyntaxError) {
        while true {
            while isDigit(src[pos]) { pos += 1 }
            if src[pos] != 95 { return }
            pos += 1
            if !isDigit(src[pos]) { throw error("invalid decimal literal", at: pos - 1) }
        }
    }

    mutating func number() throws(SyntaxError) {
        let start = pos
        var c = src[pos]
        if c == 48 {
            pos += 1
            c = src[pos] | 0x20
            if c == 120 || c == 111 || c == 98 {
                let name = c == 120 ? "hexadecimal" : c == 111 ? "octal" : "binary"
                let radix = c
                func ok(_ d: UInt8) -> Bool {
                    radix == 120 ? isHex(d) : radix == 111 ? (d >= 48 && d < 56) : (d == 48 || d == 49)
                }
                pos += 1
                repeat {
                    if src[pos] == 95 { pos += 1 }
                    if !ok(src[pos]) {
                        if c != 120 && isDigit(src[pos]) {
                            throw error("invalid digit '\(Character(Unicode.Scalar(src[pos])))' in \(name) literal", at: pos)
                        }
                        throw error("invalid \(name) literal", at: pos - 1)
                    }
                    while ok(src[pos]) { pos += 1 }
                } while src[pos] == 95
                if c != 120 && isDigit(src[pos]) {
                    throw error("invalid digit '\(Character(Unicode.Scalar(src[pos])))' in \(name) literal", at: pos)
                }
                try verifyEnd(name)
                return
            }
            var nonzero = false
            while true {
                if src[pos] == 95 {
                    pos += 1
                    if !isDigit(src[pos]) { throw error("invalid decimal literal", at: pos - 1) }
                }
                if src[pos] != 48 { break }
                pos += 1
            }
            if isDigit(src[pos]) { nonzero = true; try decimalTail() }
            c = src[pos]
            if c == 46 { pos += 1; try fraction(); return }
            if c == 101 || c == 69 { try exponent(); return }
            if c == 106 || c == 74 { pos += 1; try verifyEnd("imaginary"); return }
            if nonzero {
                throw error("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", at: start)
            }
            try verifyEnd("decimal")
            return
        }
        if c == 46 { pos += 1; try fraction(); return }
        try decimalTail()
        if src[pos] == 46 { pos += 1; try fraction(); return }
        if src[pos] == 101 || src[pos] == 69 { try exponent(); return }
        if src[pos] == 106 || src[pos] == 74 { pos += 1; try verifyEnd("imaginary"); return }
        try verifyEnd("decimal")
    }

    mutating func fraction() throws(SyntaxError) {
        if isDigit(src[pos]) { try decimalTail() }
        if src[pos] == 101 || src[pos] == 69 { try exponent(); return }
        if src[pos] == 106 || src[pos] == 74 { pos += 1; try verifyEnd("imaginary"); return }
        try verifyEnd("decimal")
    }

    mutating func exponent() throws(SyntaxError) {
        let e = pos
        pos += 1
        var c = src[pos]
        if c == 43 || c == 45 {
            pos += 1
            c = src[pos]
            if !isDigit(c) { throw error("invalid decimal literal", at: pos) }
        } else if !isDigit(c) {
            pos = e
            try verifyEnd("decimal")
            return
        }
        try decimalTail()
        if src[pos] == 106 || src[pos] == 74 { pos += 1; try verifyEnd("imaginary"); return }
        try verifyEnd("decimal")
    }

    // MARK: strings

    mutating func string(_ start: Int, quotePos: Int, raw: Bool) throws(SyntaxError) {
        let sl = line
        let q = src[quotePos]
        var p = quotePos + 1
        let triple = src[p] == q && src[p + 1] == q
        if triple { p += 2 }
        while true {
            let c = src[p]
            if p >= n {
                if triple { throw error("unterminated triple-quoted string literal (detected at line \(line))", at: start) }
                throw error("unterminated string literal (detected at line \(line))", at: start)
            }
            if c == q {
                if !triple { p += 1; break }
                if src[p + 1] == q && src[p + 2] == q { p += 3; break }
                p += 1
            } else if c == 92 {
                p += 1
                let d = src[p]
                if d == 13 || d == 10 {
                    p += (d == 13 && src[p + 1] == 10) ? 2 : 1
                    newLine(at: p)
                } else if p < n { p += 1 }
            } else if c == 10 || c == 13 {
                if !triple { throw error("unterminated string literal (detected at line \(line))", at: start) }
                p += (c == 13 && src[p + 1] == 10) ? 2 : 1
                newLine(at: p)
            } else { p += 1 }
        }
        pos = p
        add(.string, start, p, sl)
    }

    mutating func fstringStart(_ start: Int, prefixEnd: Int, raw: Bool) throws(SyntaxError) -> Bool {
        let q = src[prefixEnd]
        var p = prefixEnd + 1
        let triple = src[p] == q && src[p + 1] == q
        if triple { p += 2 }
        if modes.count > 300 { throw error("too many nested f-strings", at: start) }
        pos = p
        add(.fstart, start, p, line)
        modes.append(.fstring(quote: q, triple: triple, raw: raw))
        return true
    }

    /// Scans literal text of an f-string (or of a format spec) up to a field, the end, or '}'.
    mutating func scanFStringMiddle(quote q: UInt8, triple: Bool, raw: Bool, spec: Bool) throws(SyntaxError) {
        var outerTriple = triple
        var outerQuote = q
        var outerRaw = raw
        if spec {
            for m in modes.reversed() {
                if case let .fstring(q2, t2, r2) = m { outerTriple = t2; outerQuote = q2; outerRaw = r2; break }
            }
        }
        let start = pos
        let sl = line
        var p = pos
        while true {
            let c = src[p]
            if p >= n {
                throw error(outerTriple ? "unterminated triple-quoted f-string literal (detected at line \(line))"
                    : "unterminated f-string literal (detected at line \(line))", at: start)
            }
            if c == outerQuote && (!outerTriple || (src[p + 1] == outerQuote && src[p + 2] == outerQuote)) {
                if spec { throw error("f-string: expecting '}'", at: p) }
                if p > start { pos = p; add(.fmiddle, start, p, sl) }
                let e = p + (outerTriple ? 3 : 1)
                pos = e
                add(.fend, p, e, line)
                modes.removeLast()
                return
            }
            if c == 123 {  // {
                if !spec && src[p + 1] == 123 { p += 2; continue }
                if p > start { pos = p; add(.fmiddle, start, p, sl) }
                if brackets.count >= maxBrackets { throw error("too many nested parentheses", at: p) }
                brackets.append((123, line, Int32(p)))
                pos = p + 1
                add(.lbrace, p, p + 1, line)
                modes.append(.field(depth: brackets.count))
                return
            }
            if c == 125 {  // }
                if !spec {
                    if src[p + 1] == 125 { p += 2; continue }
                    throw error("f-string: single '}' is not allowed", at: p)
                }
                if p > start { pos = p; add(.fmiddle, start, p, sl) }
                // closes the field that owns this spec
                modes.removeLast()  // spec
                modes.removeLast()  // field
                brackets.removeLast()
                pos = p + 1
                add(.rbrace, p, p + 1, line)
                return
            }
            if c == 92 && !outerRaw {
                let d = src[p + 1]
                if d == 78 && src[p + 2] == 123 {  // \N{...}
                    p += 3
                    while src[p] != 125 && src[p] != outerQuote && src[p] != 10 && p < n { p += 1 }
                    if src[p] == 125 { p += 1 }
                    continue
                }
                if d == 123 || d == 125 { p += 1; continue }
                if d == 13 || d == 10 {
                    p += (d == 13 && src[p + 2] == 10) ? 3 : 2
                    newLine(at: p)
                    continue
                }
                p += p + 1 < n ? 2 : 1
                continue
            }
            if c == 92 && outerRaw {
                let d = src[p + 1]
                if d == outerQuote || d == 92 { p += 2; continue }
                p += 1
                continue
            }
            if c == 10 || c == 13 {
                if !outerTriple {
                    if spec {
                        throw error("f-string: newlines are not allowed in format specifiers for single quoted f-strings", at: p)
                    }
                    throw error("unterminated f-string literal (detected at line \(line))", at: start)
                }
                p += (c == 13 && src[p + 1] == 10) ? 2 : 1
                newLine(at: p)
                continue
            }
            p += 1
        }
    }
}
