// The parser over the lexer's tokens, following CPython 3.13's PEG grammar
// (Grammar/python.gram) and its node positions. This file is the cursor: the token under
// it, checkpoints to rewind to, errors and node positions. The grammar lives beside it:
// Parser+Statements.swift (recursive descent), Parser+Expressions.swift (precedence
// climbing, Pratt-style, over the binary operators), Parser+Patterns.swift (`match`), and
// Strings.swift (string literals and f-strings).

/// Nesting deeper than this is "too many nested expressions" (CPython's own limit is near 5000).
let maxDepth = 3000

final class Parser {
    let src: [UInt8]
    let tk: [Token]
    let lineStarts: [Int32]
    var p = 0          // the token under the cursor
    var depth = 0      // nesting of the rules that recurse (checked against maxDepth)
    var specDepth = 0  // format specs enclosing the current f-string field

    init(src: [UInt8], tokens: [Token], lineStarts: [Int32]) {
        self.src = src
        self.tk = tokens
        self.lineStarts = lineStarts
    }

    // MARK: the token under the cursor

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
    func text(_ i: Int) -> String {
        let a = Int(tk[i].start), b = Int(tk[i].end)
        let s = String(decoding: src[a..<b], as: UTF8.self)
        if tk[i].kind == .name { for j in a..<b where src[j] >= 128 { return normalizedIdentifier(s) } }
        return s
    }
    /// Whether token `i` is the name `s` (a soft keyword: `match`, `case`, `type`, `_`).
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
    func name(_ i: Int) -> Node {
        Node(K.Name, .string(text(i)), .node(ctxLoad), at: pos(i, i))
    }
    func expectName() throws(SyntaxError) -> String {
        guard kind == .name else { throw unexpected() }
        p += 1
        return text(p - 1)
    }

    // MARK: checkpoints

    /// Where a speculative parse started: the cursor and the nesting depth.
    struct Checkpoint {
        fileprivate let token: Int, depth: Int
    }

    /// The current position, to rewind to when a speculative parse (a soft keyword, a
    /// parenthesized `with`) turns out to be something else.
    func checkpoint() -> Checkpoint { Checkpoint(token: p, depth: depth) }

    /// Moves the cursor back to `c`, as if nothing since it had been read.
    func rewind(to c: Checkpoint) {
        p = c.token
        depth = c.depth
    }

    // MARK: nesting

    func enter() throws(SyntaxError) {
        depth += 1
        if depth > maxDepth { throw err("too many nested expressions", tk[p]) }
    }

    // MARK: errors

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

    // MARK: positions

    @inline(__always) func col(_ off: Int32, _ line: Int32) -> Int32 { off - lineStarts[Int(line) - 1] }
    /// From token `s` to the last token read, not counting the line structure after it.
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
    /// Whether `n` starts exactly at token `i` (so it was not parenthesized there).
    func startsAt(_ n: Node, _ i: Int) -> Bool {
        n.lineno == tk[i].line && n.colOffset == col(tk[i].start, tk[i].line)
    }
}
