import MkspyCore

/// Python source text for values that come from specs and genomes. Every text becomes a
/// literal that Python reads back as exactly that text, so no text can change the
/// program's structure.
///
/// Swift strings cannot hold lone surrogates; the JSON reader has already replaced any
/// (`"\ud800"`) with U+FFFD, so they are rendered as that character.
enum PythonLiteral {
    /// A double-quoted string literal: `\\`, `"`, control, format, separator, private-use
    /// and unassigned characters are escaped (`\n`, `\x00`, `\u200f`); printable text,
    /// emoji included, is written as is.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars { out += escaped(scalar) }
        return out + "\""
    }

    /// The first statement of a class body, which Python makes its docstring: a plain
    /// `"""text"""` when that reads back exactly, else an escaped literal (one piece per
    /// line, joined by implicit concatenation inside parentheses). Either way the
    /// statement is a single string constant.
    static func docstring(_ text: String, indent: String) -> String {
        if isPlainDocstring(text) { return indent + "\"\"\"" + text + "\"\"\"\n" }
        var pieces = [String]()
        var current = ""
        for scalar in text.unicodeScalars {
            current += escaped(scalar)
            if scalar == "\n" { pieces.append(current); current = "" }
        }
        if !current.isEmpty || pieces.isEmpty { pieces.append(current) }
        if pieces.count == 1 { return indent + "\"" + pieces[0] + "\"\n" }
        return indent + "(\n" + pieces.map { indent + "    \"" + $0 + "\"\n" }.joined() + indent + ")\n"
    }

    /// One line of printable text with no backslash, no `"` at either end and no `"""`:
    /// it can sit between triple quotes unchanged.
    static func isPlainDocstring(_ text: String) -> Bool {
        !text.isEmpty && !text.contains("\"\"\"") && !text.hasPrefix("\"") && !text.hasSuffix("\"")
            && text.unicodeScalars.allSatisfy { $0 != "\\" && $0 != "\n" && escaped($0).count == 1 }
    }

    /// A JSON value as a Python literal: dicts (keys sorted, so equal values give equal
    /// text), lists, strings, numbers, True/False/None. Nil when a number's text is not a
    /// JSON number (it could not have come from the reader).
    static func value(_ json: JSON) -> String? {
        switch json {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .number(let n): return isJSONNumber(n) ? n : nil
        case .string(let s): return string(s)
        case .array(let items):
            var parts = [String]()
            for item in items {
                guard let part = value(item) else { return nil }
                parts.append(part)
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case .object(let object):
            var parts = [String]()
            for key in object.keys.sorted(by: scalarOrder) {
                guard let part = value(object[key]!) else { return nil }
                parts.append(string(key) + ": " + part)
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }

    /// Orders keys by Unicode scalars, as the JSON writer does.
    static func scalarOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, which is also a Python literal.
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let n = bytes.prefix { (0x30...0x39).contains($0) }.count
            bytes = bytes.dropFirst(n)
            return n
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: "0") { bytes = bytes.dropFirst() } else if digits() == 0 { return false }
        if bytes.first == UInt8(ascii: ".") { bytes = bytes.dropFirst(); if digits() == 0 { return false } }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\\": return "\\\\"
        case "\"": return "\\\""
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: break
        }
        if scalar == " " || (scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F) { return String(scalar) }
        if !scalar.isASCII, isPrintable(scalar) { return String(scalar) }
        let hex = String(scalar.value, radix: 16)
        switch scalar.value {
        case ..<0x100: return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        case ..<0x10000: return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
        }
    }

    /// Python's `str.isprintable` for one non-ASCII character: not a control, format,
    /// surrogate, private-use, unassigned or separator (other than the ASCII space).
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .lineSeparator, .paragraphSeparator, .spaceSeparator: false
        default: true
        }
    }
}
