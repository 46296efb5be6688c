import MkspyCore
import PythonSyntax

/// Why a string signature is malformed.
struct SignatureError: Error { let message: String }

/// DSPy string signatures (`"question, context: list[str] -> answer: str"`), read as DSPy
/// reads them: exactly one `->`; each side is a parameter list (`def f(<side>)`) whose
/// annotations may be any Python type expression (`Optional[int]`, `Literal['a', 'b']`).
enum StringSignature {
    struct Item {
        let name: String
        let isInput: Bool
        /// The annotation as text (spec-normalized when mkspy-spec's parser read it).
        let type: String?
    }

    static func parse(_ text: String) -> Result<[Item], SignatureError> {
        let sides = text.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        guard sides.count == 2 else {
            return .failure(SignatureError(message: "a signature needs exactly one '->' between inputs and outputs"))
        }
        // The spec language is the common case: mkspy-spec's parser reads it quickly.
        // (It reads `name:` with nothing after the colon as `str`; DSPy rejects that.)
        let emptyType = sides.contains { $0.split(separator: ",").contains { String($0).trimmingCharacters().hasSuffix(":") } }
        if !emptyType, case .success(let fields) = parseSignature(text), (fields.inputs + fields.outputs).allSatisfy({ isIdentifier($0.name) }) {
            return checked(fields.inputs.map { Item(name: $0.name, isInput: true, type: $0.type) }
                           + fields.outputs.map { Item(name: $0.name, isInput: false, type: $0.type) })
        }
        var items = [Item]()
        for (index, side) in sides.enumerated() {
            let isInput = index == 0
            guard side.contains(where: { !$0.isWhitespace }) else {
                if isInput { continue }
                return .failure(SignatureError(message: "no output fields after '->'; write e.g. '-> answer: str'"))
            }
            if side.contains(")") && !balanced(side) {
                return .failure(SignatureError(message: "\(isInput ? "inputs" : "outputs") '\(side)' are not a list of 'name: type' fields"))
            }
            let wrapped = Array("def f(\(side)): pass\n".utf8)
            guard case .success(let module) = parseModule(wrapped), let def = module.nodes("body").first,
                  let args = def.node("args"), args.nodes("posonlyargs").isEmpty, args.node("vararg") == nil,
                  args.nodes("kwonlyargs").isEmpty, args.node("kwarg") == nil, args.nodes("defaults").isEmpty else {
                return .failure(SignatureError(message: "\(isInput ? "inputs" : "outputs") '\(side.trimmingCharacters())' are not a list of 'name: type' fields separated by commas"))
            }
            for arg in args.nodes("args") {
                let type = arg.node("annotation").map { segment(wrapped, $0) }
                items.append(Item(name: arg.string("arg") ?? "", isInput: isInput, type: type))
            }
        }
        return checked(items)
    }

    /// DSPy refuses a name that is both an input and an output.
    static func checked(_ items: [Item]) -> Result<[Item], SignatureError> {
        let inputs = Set(items.filter(\.isInput).map(\.name))
        if let both = items.first(where: { !$0.isInput && inputs.contains($0.name) }) {
            return .failure(SignatureError(message: "'\(both.name)' is both an input and an output; DSPy raises a ValueError"))
        }
        return .success(items)
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, first == UInt8(ascii: "_") || first >= 0x80 || (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z") else { return false }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || $0 >= 0x80 || ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") || $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            && !["None", "True", "False", "and", "or", "not", "in", "is", "if", "else", "for", "while", "def", "class", "return", "lambda", "import", "from", "as", "with", "try", "except", "finally", "raise", "pass", "break", "continue", "global", "nonlocal", "del", "yield", "assert", "async", "await", "elif"].contains(s)
    }

    /// Parentheses balance in `text` (a stray `)` could close the wrapper's parameter list).
    static func balanced(_ text: String) -> Bool {
        var depth = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "(") { depth += 1 } else if c == UInt8(ascii: ")") { depth -= 1; if depth < 0 { return false } }
        }
        return depth == 0
    }

    /// The source text of a one-line node.
    static func segment(_ bytes: [UInt8], _ node: Node) -> String {
        let start = Int(node.colOffset), end = Int(node.endColOffset)
        guard node.lineno == 1, node.endLineno == 1, start <= end, end <= bytes.count else { return "" }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

extension String {
    func trimmingCharacters() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
