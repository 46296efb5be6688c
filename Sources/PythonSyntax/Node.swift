// The AST: one generic node type that mirrors CPython's `ast` classes by name and fields.

/// A literal value held by a `Constant` node.
public enum ConstantValue: Equatable, Sendable {
    /// An integer, as decimal digits (with a leading '-' never: literals are non-negative).
    case int(String)
    case float(Double)
    /// An imaginary literal: the imaginary part.
    case complex(Double)
    case str(String)
    /// A string holding lone surrogates, encoded as UTF-8 with `surrogatepass`.
    case strWithSurrogates([UInt8])
    case bytes([UInt8])
    case bool(Bool)
    case none
    case ellipsis
}

/// A field value: a node, a list, an identifier or other string, an integer, a constant, or null.
public enum Value: Sendable {
    case node(Node)
    case list([Value])
    case string(String)
    case int(Int)
    case constant(ConstantValue)
    case null

    /// The node held, if any.
    public var node: Node? { if case let .node(n) = self { return n }; return nil }
    /// The nodes of a list (nulls and non-nodes skipped); a single node as a one-element list.
    public var nodes: [Node] {
        switch self {
        case let .list(l): return l.compactMap(\.node)
        case let .node(n): return [n]
        default: return []
        }
    }
    /// The string held (identifiers such as `Name.id`, `Attribute.attr`), if any.
    public var string: String? { if case let .string(s) = self { return s }; return nil }
    /// The literal held by `Constant.value` / `MatchSingleton.value`, if any.
    public var constant: ConstantValue? { if case let .constant(c) = self { return c }; return nil }
    /// The integer held (`ImportFrom.level`, `FormattedValue.conversion`, ...), if any.
    public var int: Int? { if case let .int(i) = self { return i }; return nil }
}

/// A node class: CPython's class name and its `_fields`, in order.
public final class NodeKind: Sendable {
    public let name: String
    public let fieldNames: [String]
    /// JSON keys in sorted order: a field index, -1 for "_type", -2...-5 for positions.
    let sortedKeys: [(String, Int)]
    let sortedKeysWithPosition: [(String, Int)]

    init(_ name: String, _ fieldNames: [String]) {
        self.name = name
        self.fieldNames = fieldNames
        func sorted(_ pos: Bool) -> [(String, Int)] {
            var keys: [(String, Int)] = [("_type", -1)]
            for (i, f) in fieldNames.enumerated() { keys.append((f, i)) }
            if pos {
                for (i, k) in ["col_offset", "end_col_offset", "end_lineno", "lineno"].enumerated() { keys.append((k, -2 - i)) }
            }
            return keys.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        }
        sortedKeys = sorted(false)
        sortedKeysWithPosition = sorted(true)
    }
}

/// An AST node: `type` is CPython's class name (`"Call"`, `"Name"`, `"Load"`, ...), `fields`
/// its fields in CPython's `_fields` order, plus the four position attributes where CPython
/// has them (`hasPosition`). Lines are 1-based; columns count UTF-8 bytes from 0.
public final class Node: @unchecked Sendable {
    public let kind: NodeKind
    // Field values inline (up to four), the rest in `extra`: one allocation per node.
    var v0: Value, v1: Value, v2: Value, v3: Value
    var extra: [Value]?
    public internal(set) var lineno: Int32
    public internal(set) var colOffset: Int32
    public internal(set) var endLineno: Int32
    public internal(set) var endColOffset: Int32

    init(_ kind: NodeKind, _ a: Value = .null, _ b: Value = .null, _ c: Value = .null, _ d: Value = .null,
         extra: [Value]? = nil, at pos: Pos = Pos.none) {
        self.kind = kind
        v0 = a; v1 = b; v2 = c; v3 = d
        self.extra = extra
        lineno = pos.line
        colOffset = pos.col
        endLineno = pos.endLine
        endColOffset = pos.endCol
    }

    /// CPython's class name: "Module", "FunctionDef", "Call", "Name", "Load", ...
    public var type: String { kind.name }
    public var hasPosition: Bool { lineno > 0 }
    public var fieldCount: Int { kind.fieldNames.count }

    /// The value of field number `i` (in `_fields` order).
    public func value(at i: Int) -> Value {
        switch i {
        case 0: return v0
        case 1: return v1
        case 2: return v2
        case 3: return v3
        default: return extra![i - 4]
        }
    }

    /// The fields as (name, value) pairs, in CPython's `_fields` order.
    public var fields: [(name: String, value: Value)] {
        kind.fieldNames.enumerated().map { ($0.element, value(at: $0.offset)) }
    }

    /// The value of the field `name` (`node["func"]`), or nil when the class has no such field.
    public subscript(name: String) -> Value? {
        guard let i = kind.fieldNames.firstIndex(of: name) else { return nil }
        return value(at: i)
    }

    /// The child nodes, in field order (lists flattened).
    public var children: [Node] {
        var out: [Node] = []
        for i in 0..<fieldCount {
            switch value(at: i) {
            case let .node(n): out.append(n)
            case let .list(l): for v in l { if case let .node(n) = v { out.append(n) } }
            default: break
            }
        }
        return out
    }

    /// Calls `visit` on this node and every descendant, parents first.
    public func walk(_ visit: (Node) -> Void) {
        var stack: [Node] = [self]
        while let n = stack.popLast() {
            visit(n)
            stack.append(contentsOf: n.children.reversed())
        }
    }

    func set(_ name: String, _ v: Value) {
        guard let i = kind.fieldNames.firstIndex(of: name) else { return }
        switch i {
        case 0: v0 = v
        case 1: v1 = v
        case 2: v2 = v
        case 3: v3 = v
        default: extra![i - 4] = v
        }
    }
}

struct Pos {
    var line: Int32, col: Int32, endLine: Int32, endCol: Int32
    static let none = Pos(line: 0, col: 0, endLine: 0, endCol: 0)
}
