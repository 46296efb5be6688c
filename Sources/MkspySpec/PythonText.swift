import MkspyCheck
import PythonSyntax

/// A Python value as static reading knows it, for the texts DSPy builds with `repr`
/// (a ReAct tool's argument schema): dicts keep their order.
indirect enum PyValue: Equatable {
    case dict([(String, PyValue)])
    case list([PyValue])
    case string(String)
    /// An integer or float literal, as Python's `repr` writes it.
    case number(String)
    case bool(Bool)
    case none

    static func == (a: PyValue, b: PyValue) -> Bool { a.repr == b.repr }

    /// Python's `repr`.
    var repr: String {
        switch self {
        case .dict(let pairs): "{" + pairs.map { "\(pythonRepr($0.0)): \($0.1.repr)" }.joined(separator: ", ") + "}"
        case .list(let items): "[" + items.map(\.repr).joined(separator: ", ") + "]"
        case .string(let s): pythonRepr(s)
        case .number(let n): n
        case .bool(let b): b ? "True" : "False"
        case .none: "None"
        }
    }
}

/// Python's `repr` of a `str`: single quotes unless the text holds `'` and no `"`;
/// backslash escapes for the quote, `\\`, `\t`, `\n`, `\r` and unprintable code points.
func pythonRepr(_ text: String) -> String {
    let quote: Unicode.Scalar = text.contains("'") && !text.contains("\"") ? "\"" : "'"
    var out = String.UnicodeScalarView()
    out.append(quote)
    for c in text.unicodeScalars {
        switch c {
        case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
        case "\t": out.append(contentsOf: "\\t".unicodeScalars)
        case "\n": out.append(contentsOf: "\\n".unicodeScalars)
        case "\r": out.append(contentsOf: "\\r".unicodeScalars)
        case quote: out.append("\\"); out.append(c)
        default:
            if isPrintable(c) { out.append(c); continue }
            let hex = String(c.value, radix: 16)
            let (mark, width) = c.value < 0x100 ? ("x", 2) : c.value < 0x10000 ? ("u", 4) : ("U", 8)
            out.append(contentsOf: ("\\" + mark + String(repeating: "0", count: width - hex.count) + hex).unicodeScalars)
        }
    }
    out.append(quote)
    return String(out)
}

/// `str.isprintable` for one code point: not a control, format, surrogate, private-use,
/// unassigned or separator code point (the space excepted).
private func isPrintable(_ c: Unicode.Scalar) -> Bool {
    if c == " " { return true }
    switch c.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
        return false
    default:
        return true
    }
}

/// The text of an expression as Python's `ast.unparse` writes it, for the annotations
/// and literals static reading meets (names, attributes, subscripts, constants, `|`, lists,
/// tuples, simple calls); nil for anything else.
func unparse(_ node: Node) -> String? {
    switch node.type {
    case "Name": return node.string("id")
    case "Attribute":
        guard let base = node.node("value").flatMap(unparse), let attr = node.string("attr") else { return nil }
        return "\(base).\(attr)"
    case "Subscript":
        guard let base = node.node("value").flatMap(unparse), let slice = node.node("slice") else { return nil }
        let parts = slice.type == "Tuple" && !slice.nodes("elts").isEmpty ? slice.nodes("elts").map(unparse) : [unparse(slice)]
        let inner = parts.compactMap { $0 }
        guard inner.count == parts.count else { return nil }
        return "\(base)[\(inner.joined(separator: ", "))]"
    case "Constant", "UnaryOp": return constant(node)?.repr ?? (node["value"]?.constant == .ellipsis ? "..." : nil)
    case "BinOp":
        guard node.node("op")?.type == "BitOr", let l = node.node("left").flatMap(unparse),
              let r = node.node("right").flatMap(unparse) else { return nil }
        return "\(l) | \(r)"
    case "List", "Tuple":
        let items = node.nodes("elts").compactMap(unparse)
        guard items.count == node.nodes("elts").count else { return nil }
        if node.type == "List" { return "[\(items.joined(separator: ", "))]" }
        return items.count == 1 ? "(\(items[0]),)" : "(\(items.joined(separator: ", ")))"
    case "Call":
        guard let f = node.node("func").flatMap(unparse) else { return nil }
        var parts = [String]()
        for a in node.nodes("args") { guard let t = unparse(a) else { return nil }; parts.append(t) }
        for k in node.nodes("keywords") {
            guard let name = k.string("arg"), let t = k.node("value").flatMap(unparse) else { return nil }
            parts.append("\(name)=\(t)")
        }
        return "\(f)(\(parts.joined(separator: ", ")))"
    default: return nil
    }
}

/// A literal's value: a constant, or a list, tuple or dict of literals (string keys).
func constant(_ node: Node) -> PyValue? {
    switch node.type {
    case "Constant":
        switch node["value"]?.constant {
        case .str(let s)?: return .string(s)
        case .int(let digits)?: return .number(digits)
        case .float(let d)?: return .number(pythonFloat(d))
        case .bool(let b)?: return .bool(b)
        case .none?: return PyValue.none
        default: return nil
        }
    case "UnaryOp":
        guard node.node("op")?.type == "USub", let operand = node.node("operand"), case .number(let n)? = constant(operand) else { return nil }
        return .number("-" + n)
    case "List", "Tuple":
        let items = node.nodes("elts").compactMap(constant)
        return items.count == node.nodes("elts").count ? .list(items) : nil
    case "Dict":
        var pairs = [(String, PyValue)]()
        for (k, v) in zip(node["keys"]?.nodes ?? [], node.nodes("values")) {
            guard let key = k.stringConstant, let value = constant(v) else { return nil }
            pairs.append((key, value))
        }
        return pairs.count == node.nodes("values").count ? .dict(pairs) : nil
    default: return nil
    }
}

/// Python's `repr` of a float for the usual literals (`1.5`, `3.0`, `1e+20`).
func pythonFloat(_ d: Double) -> String {
    if d == d.rounded(), abs(d) < 1e16 { return String(Int(d)) + ".0" }
    return "\(d)"
}

/// DSPy's `infer_prefix` (dspy/signatures/signature.py), ported rule by rule: camelCase and
/// letter/digit boundaries become underscores, then each word is capitalized unless it is
/// all upper case. `generate_answer` → `Generate Answer`, `HTMLText2go` → `HTML Text 2 Go`.
func inferPrefix(_ name: String) -> String {
    func isUpper(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
    func isLower(_ b: UInt8) -> Bool { b >= 97 && b <= 122 }
    func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    /// `re.sub("(first)(second)", r"\1_\2", text)`, scanning left to right without overlaps.
    func sub(_ bytes: [UInt8], _ first: (UInt8) -> Bool, _ second: ([UInt8], Int) -> Int?) -> [UInt8] {
        var out = [UInt8](), i = 0
        while i < bytes.count {
            if i + 1 < bytes.count, first(bytes[i]), let length = second(bytes, i + 1) {
                out.append(bytes[i]); out.append(95); out.append(contentsOf: bytes[(i + 1)..<(i + 1 + length)])
                i += 1 + length
            } else {
                out.append(bytes[i]); i += 1
            }
        }
        return out
    }
    var b = Array(name.utf8)
    b = sub(b, { $0 != 10 }) { s, j in  // (.)([A-Z][a-z]+)
        guard isUpper(s[j]), j + 1 < s.count, isLower(s[j + 1]) else { return nil }
        var k = j + 1
        while k < s.count, isLower(s[k]) { k += 1 }
        return k - j
    }
    b = sub(b, { isLower($0) || isDigit($0) }) { s, j in isUpper(s[j]) ? 1 : nil }
    b = sub(b, { isUpper($0) || isLower($0) }) { s, j in isDigit(s[j]) ? 1 : nil }
    b = sub(b, isDigit) { s, j in isUpper(s[j]) || isLower(s[j]) ? 1 : nil }
    return String(decoding: b, as: UTF8.self).split(separator: "_", omittingEmptySubsequences: false).map { word -> String in
        let cased = word.unicodeScalars.filter { $0.properties.isUppercase || $0.properties.isLowercase }
        if !cased.isEmpty, cased.allSatisfy({ $0.properties.isUppercase }) { return String(word) }
        return word.prefix(1).uppercased() + word.dropFirst().lowercased()
    }.joined(separator: " ")
}

/// A class name as a spec name: `MultiHopQA` → `multi_hop_qa`.
func snakeName(_ className: String) -> String {
    inferPrefix(className).lowercased().replacingSpaces()
}

extension String {
    fileprivate func replacingSpaces() -> String { String(map { $0 == " " ? "_" : $0 }) }
}
