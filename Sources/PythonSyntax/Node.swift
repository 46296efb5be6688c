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
}

/// An AST node: `type` is CPython's class name (`"Call"`, `"Name"`, `"Load"`, ...), `fields`
/// its fields in CPython's `_fields` order, plus the four position attributes where CPython
/// has them (`hasPosition`). Lines are 1-based; columns count UTF-8 bytes from 0.
public final class Node: @unchecked Sendable {
    public let type: String
    public internal(set) var fields: [(name: String, value: Value)]
    public internal(set) var lineno: Int32
    public internal(set) var colOffset: Int32
    public internal(set) var endLineno: Int32
    public internal(set) var endColOffset: Int32
    public var hasPosition: Bool { lineno > 0 }

    init(_ type: String, _ fields: [(name: String, value: Value)], _ pos: Pos = Pos.none) {
        self.type = type
        self.fields = fields
        lineno = pos.line
        colOffset = pos.col
        endLineno = pos.endLine
        endColOffset = pos.endCol
    }

    /// The value of the field `name` (`node["func"]`), or nil when the class has no such field.
    public subscript(name: String) -> Value? {
        for f in fields where f.name == name { return f.value }
        return nil
    }

    /// The child nodes, in field order (lists flattened).
    public var children: [Node] {
        var out: [Node] = []
        for f in fields {
            switch f.value {
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
        for i in fields.indices where fields[i].name == name { fields[i].value = v; return }
    }
}

struct Pos {
    var line: Int32, col: Int32, endLine: Int32, endCol: Int32
    static let none = Pos(line: 0, col: 0, endLine: 0, endCol: 0)
}
