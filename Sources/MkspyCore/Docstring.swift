/// Python 3.11's `inspect.cleandoc`, which DSPy applies to every instruction
/// (`Signature.instructions`): tabs expanded, the first line's leading whitespace and the
/// common indentation of the others removed, blank lines at either end dropped. Lengths
/// count code points and "whitespace" is `str.isspace`, as in Python.
public func cleandoc(_ doc: String) -> String {
    var lines = expandTabs(Array(doc.unicodeScalars)).split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
    var margin = Int.max
    for line in lines.dropFirst() {
        let content = line.drop(while: isPythonSpace).count
        if content > 0 { margin = min(margin, line.count - content) }
    }
    if !lines.isEmpty { lines[0] = Array(lines[0].drop(while: isPythonSpace)) }
    if margin < Int.max {
        for i in lines.indices.dropFirst() { lines[i] = Array(lines[i].dropFirst(margin)) }
    }
    while lines.last?.isEmpty == true { lines.removeLast() }
    while lines.first?.isEmpty == true { lines.removeFirst() }
    var result = String.UnicodeScalarView()
    for (i, line) in lines.enumerated() {
        if i > 0 { result.append("\n") }
        result.append(contentsOf: line)
    }
    return String(result)
}

/// `str.isspace` for one code point: Unicode white space plus the four separators
/// U+001C–U+001F that Python also counts.
func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
    c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
}

/// `str.expandtabs(8)`: the column restarts after `\n` and `\r`.
func expandTabs(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
    var out = [Unicode.Scalar]()
    var column = 0
    for c in scalars {
        switch c {
        case "\t":
            let spaces = 8 - column % 8
            out.append(contentsOf: repeatElement(" ", count: spaces))
            column += spaces
        case "\n", "\r":
            out.append(c)
            column = 0
        default:
            out.append(c)
            column += 1
        }
    }
    return out
}
