/// A type expression of the spec language: a primitive, a declared name, `list[T]`,
/// `dict[str, T]` or `T | None`. Its text is also valid Python, which mkspy-gen relies on.
public indirect enum TypeExpr: Hashable, Sendable, CustomStringConvertible {
    case primitive(String)
    case named(String)
    case list(TypeExpr)
    case dict(TypeExpr)
    case optional(TypeExpr)

    public static let primitives: Set<String> = ["str", "int", "float", "bool"]

    /// The normalized text: `list[LineItem]`, `dict[str, int]`, `str | None`.
    public var description: String {
        switch self {
        case .primitive(let n), .named(let n): n
        case .list(let t): "list[\(t)]"
        case .dict(let t): "dict[str, \(t)]"
        case .optional(let t): "\(t) | None"
        }
    }

    /// Every declared name this expression refers to.
    public var references: [String] {
        switch self {
        case .primitive: []
        case .named(let n): [n]
        case .list(let t), .dict(let t), .optional(let t): t.references
        }
    }

    /// Parses a type expression; the error says what is wrong and how to write it.
    public static func parse(_ text: String) -> Result<TypeExpr, TypeSyntaxError> {
        var parser = TypeParser(tokens: TypeParser.tokenize(text), text: text)
        return parser.parseWhole()
    }
}

/// A malformed type expression.
public struct TypeSyntaxError: Error, Equatable, Sendable {
    public let message: String
}

private struct TypeParser {
    let tokens: [String]
    let text: String
    var i = 0

    static func tokenize(_ text: String) -> [String] {
        var tokens = [String]()
        var word = [UInt8]()
        for b in text.utf8 {
            if b.isASCIILetter || b >= 0x80 || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { word.append(b); continue }
            if !word.isEmpty { tokens.append(String(decoding: word, as: UTF8.self)); word.removeAll() }
            if b != 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { tokens.append(String(UnicodeScalar(b))) }
        }
        if !word.isEmpty { tokens.append(String(decoding: word, as: UTF8.self)) }
        return tokens
    }

    func fail(_ message: String) -> TypeSyntaxError {
        TypeSyntaxError(message: "type '\(text)': \(message)")
    }

    mutating func parseWhole() -> Result<TypeExpr, TypeSyntaxError> {
        do throws(TypeSyntaxError) {
            if tokens.isEmpty { throw fail("empty type; write a type such as str or list[Item]") }
            let type = try union(depth: 0)
            if i < tokens.count { throw fail("unexpected '\(tokens[i])'") }
            return .success(type)
        } catch { return .failure(error) }
    }

    mutating func union(depth: Int) throws(TypeSyntaxError) -> TypeExpr {
        if depth > 32 { throw fail("nested too deeply") }
        let base = try term(depth: depth)
        guard accept("|") else { return base }
        guard accept("None") else {
            throw fail("only 'T | None' unions are supported; wrap alternatives in a record type instead")
        }
        if case .optional = base { throw fail("'| None' given twice") }
        if i < tokens.count, tokens[i] == "|" { throw fail("'| None' given twice") }
        return .optional(base)
    }

    mutating func term(depth: Int) throws(TypeSyntaxError) -> TypeExpr {
        guard i < tokens.count else { throw fail("the expression ends where a type should be") }
        let name = tokens[i]
        i += 1
        switch name {
        case "list":
            guard accept("[") else { throw fail("write list[T]") }
            let element = try union(depth: depth + 1)
            guard accept("]") else { throw fail("missing ']' after list[\(element)") }
            return .list(element)
        case "dict":
            guard accept("["), accept("str"), accept(",") else {
                throw fail("dictionaries must have string keys: write dict[str, T]")
            }
            let value = try union(depth: depth + 1)
            guard accept("]") else { throw fail("missing ']' after dict[str, \(value)") }
            return .dict(value)
        case "None": throw fail("None alone is not a type; write T | None")
        case "Optional": throw fail("write T | None instead of Optional[T]")
        case "List", "Dict": throw fail("write \(name.lowercased())[...] instead of \(name)[...]")
        default:
            guard Reserved.isIdentifier(name) else {
                throw fail("'\(name)' is not a type name")
            }
            return TypeExpr.primitives.contains(name) ? .primitive(name) : .named(name)
        }
    }

    mutating func accept(_ token: String) -> Bool {
        guard i < tokens.count, tokens[i] == token else { return false }
        i += 1
        return true
    }
}
