// The public entry points: parse bytes to a `Module` node, or to the documented JSON dump.
//
//     switch parseModule(bytes, filename: path) {
//     case let .success(module):
//         module.walk { node in
//             if node.type == "Call", let f = node["func"]?.node, f.type == "Name" {
//                 print(f["id"]!.string!, node.lineno, node.colOffset)
//             }
//         }
//     case let .failure(error):
//         print("\(path):\(error.lineno):\(error.colOffset): \(error.message)")
//     }
//
// Node types and field names are CPython 3.13's (see `ast` docs); list fields hold arrays
// (`node["body"]!.nodes`), optional fields hold `.null`, identifiers `.string`.

/// Parses Python 3.13 source (UTF-8 bytes, optional BOM, PEP 263 utf-8/latin-1 declarations)
/// into a `Module` node, or returns the first syntax error. `filename` is not used in the
/// result; it is accepted so callers can pass it along uniformly.
public func parseModule(_ bytes: [UInt8], filename: String = "<unknown>") -> Result<Node, SyntaxError> {
    onBigStack { parseOnThisStack(bytes) }
}

/// The AST of `bytes` as one JSON object (keys sorted), or `{"error": {...}}`; see
/// share/mkspy/python-ast/ast_to_json.py, the reference definition of the format.
public func astJSON(_ bytes: [UInt8]) -> [UInt8] {
    onBigStack {
        switch parseOnThisStack(bytes) {
        case let .success(m): return dumpJSON(m)
        case let .failure(e): return dumpJSON(e)
        }
    }
}

/// The JSON dump of a node (as produced by `parseModule`).
public func astJSON(_ node: Node) -> [UInt8] {
    onBigStack { dumpJSON(node) }
}

func parseOnThisStack(_ bytes: [UInt8]) -> Result<Node, SyntaxError> {
    do {
        let text = try decodeSource(bytes)
        var lx = Lexer(text)
        let toks = try lx.run()
        let ps = Parser(src: lx.src, tokens: toks, lineStarts: lx.lineStarts)
        let m = try ps.module()
        return .success(m)
    } catch {
        return .failure(error)
    }
}

/// Applies the BOM and coding declaration, checks UTF-8, and turns CRLF and CR into LF.
func decodeSource(_ input: [UInt8]) throws(SyntaxError) -> [UInt8] {
    var b = input
    var bom = false
    if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { b.removeFirst(3); bom = true }
    if contains(b, 0) {
        throw SyntaxError(message: "source code cannot contain null bytes", lineno: 1, colOffset: 0)
    }
    if let enc = codingDeclaration(b) {
        var norm = String(enc.lowercased().map { $0 == "_" ? "-" : $0 })
        if norm.hasPrefix("utf-8-") { norm = "utf-8" }
        for l in ["latin-1", "iso-8859-1", "iso-latin-1"] where norm.hasPrefix(l + "-") { norm = l }
        switch norm {
        case "utf-8", "utf8", "u8", "ascii", "us-ascii", "646":
            break
        case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "iso-latin-1", "l1", "8859", "cp819", "latin":
            if bom { throw SyntaxError(message: "encoding problem: \(enc) with BOM", lineno: 1, colOffset: 0) }
            var out: [UInt8] = []
            out.reserveCapacity(b.count)
            for c in b { appendScalar(&out, UInt32(c)) }
            b = out
        default:
            throw SyntaxError(message: "encoding problem: \(enc) (only utf-8 and latin-1 are supported)", lineno: 1, colOffset: 0)
        }
        if bom && norm != "utf-8" {
            throw SyntaxError(message: "encoding problem: \(enc) with BOM", lineno: 1, colOffset: 0)
        }
    }
    if let bad = firstInvalidUTF8(b) {
        var line = 1, start = 0
        for i in 0..<bad where b[i] == 10 { line += 1; start = i + 1 }
        throw SyntaxError(message: "(unicode error) 'utf-8' codec can't decode byte 0x\(String(b[bad], radix: 16)) in position \(bad - start): invalid start byte",
                          lineno: line, colOffset: bad - start)
    }
    if contains(b, 13) {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 13 {
                out.append(10)
                if i + 1 < b.count && b[i + 1] == 10 { i += 1 }
            } else {
                out.append(b[i])
            }
            i += 1
        }
        b = out
    }
    return b
}

/// The encoding named by a PEP 263 comment on line 1 or 2, if any.
func codingDeclaration(_ b: [UInt8]) -> String? {
    var start = 0
    for lineNo in 0..<2 {
        var end = start
        while end < b.count && b[end] != 10 && b[end] != 13 { end += 1 }
        let line = b[start..<end]
        var i = line.startIndex
        while i < line.endIndex && (line[i] == 32 || line[i] == 9 || line[i] == 12) { i += 1 }
        if i < line.endIndex && line[i] == 35 {
            let s = Array(line[i...])
            var j = 0
            while j + 7 <= s.count {
                if s[j] == 99 && Array(s[j..<(j + 6)]) == Array("coding".utf8) && (s[j + 6] == 58 || s[j + 6] == 61) {
                    var k = j + 7
                    while k < s.count && (s[k] == 32 || s[k] == 9) { k += 1 }
                    let ns = k
                    while k < s.count && (isIdentChar(s[k]) && s[k] < 128 || s[k] == 45 || s[k] == 46) { k += 1 }
                    if k > ns { return String(decoding: s[ns..<k], as: UTF8.self) }
                }
                j += 1
            }
        } else if i < line.endIndex {
            return nil  // line 1 holds code: line 2 cannot declare
        }
        if lineNo == 0 {
            if end < b.count && b[end] == 13 && end + 1 < b.count && b[end + 1] == 10 { end += 1 }
            start = end + 1
            if start > b.count { return nil }
        }
    }
    return nil
}

func firstInvalidUTF8(_ b: [UInt8]) -> Int? {
    var i = 0
    let n = b.count
    // fast path: skip ASCII eight bytes at a time
    b.withUnsafeBytes { raw in
        while i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
    }
    while i < n {
        let c = b[i]
        if c < 0x80 { i += 1; continue }
        var len = 0
        var minNext: UInt8 = 0x80, maxNext: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: len = 2
        case 0xE0: len = 3; minNext = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: len = 3
        case 0xED: len = 3; maxNext = 0x9F
        case 0xF0: len = 4; minNext = 0x90
        case 0xF1...0xF3: len = 4
        case 0xF4: len = 4; maxNext = 0x8F
        default: return i
        }
        if i + len > n { return i }
        if b[i + 1] < minNext || b[i + 1] > maxNext { return i }
        for k in 2..<len where b[i + k] < 0x80 || b[i + k] > 0xBF { return i }
        i += len
    }
    return nil
}
