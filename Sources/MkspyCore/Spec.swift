/// A named, typed field of a signature, a program, or a record type.
public struct Field: Equatable, Sendable {
    public var name: String
    /// A normalized type expression (see `TypeExpr`).
    public var type: String
    public var desc: String

    public init(name: String, type: String, desc: String = "") { self.name = name; self.type = type; self.desc = desc }

    public var json: JSON { ["name": .string(name), "type": .string(type), "desc": .string(desc)] }
}

/// What a declared type name stands for.
public enum TypeDefinition: Equatable, Sendable {
    case alias(String)
    case enumeration([String])
    case record([Field])

    public var json: JSON {
        switch self {
        case .alias(let t): ["kind": "alias", "type": .string(t)]
        case .enumeration(let values): ["kind": "enum", "values": .array(values.map(JSON.string))]
        case .record(let fields): ["kind": "record", "fields": .array(fields.map(\.json))]
        }
    }
}

/// How an operation's predictor reasons: `dspy.Predict`, `dspy.ChainOfThought`, `dspy.ReAct`.
public enum Strategy: String, CaseIterable, Sendable {
    case predict, cot, react
}

/// One step of the program's flow.
public struct Operation: Equatable, Sendable {
    public var name: String
    public var strategy: Strategy
    public var instruction: String
    public var inputs: [Field]
    public var outputs: [Field]
    public var tools: [String]

    public var json: JSON {
        ["name": .string(name), "strategy": .string(strategy.rawValue), "instruction": .string(instruction),
         "inputs": .array(inputs.map(\.json)), "outputs": .array(outputs.map(\.json)),
         "tools": .array(tools.map(JSON.string))]
    }
}

/// A Python function a `react` operation may call.
public struct Tool: Equatable, Sendable {
    public var name: String
    /// The module that defines the function `name`, importable from the spec's directory.
    public var module: String
    public var doc: String
}

/// A validated, normalized task spec. Field lists keep their declared order, so they are
/// arrays of `{name, type, desc}` in the normalized JSON; type definitions are tagged by kind.
public struct Spec: Equatable, Sendable {
    public var name: String
    public var description: String
    public var types: [(name: String, definition: TypeDefinition)]
    public var inputs: [Field]
    public var outputs: [Field]
    public var operations: [Operation]
    public var tools: [Tool]
    /// The metric object as given (validated), or nil.
    public var metric: JSONObject?
    /// The absolute path of the spec file, when it was read from one: tool modules and a
    /// python metric are found beside it. Not part of the content hash.
    public var path: String?

    public static func == (a: Spec, b: Spec) -> Bool { a.json == b.json }

    /// The normalized spec, without the record's `kind`, `id`, `ok` and `diagnostics`.
    public var json: JSON {
        var typesObject = JSONObject()
        for t in types { typesObject[t.name] = t.definition.json }
        var toolsObject = JSONObject()
        for t in tools { toolsObject[t.name] = ["module": .string(t.module), "doc": .string(t.doc)] }
        var o: JSONObject = [
            "name": .string(name), "description": .string(description), "types": .object(typesObject),
            "inputs": .array(inputs.map(\.json)), "outputs": .array(outputs.map(\.json)),
            "operations": .array(operations.map(\.json)), "tools": .object(toolsObject),
        ]
        if let metric { o["metric"] = .object(metric) }
        return .object(o)
    }

    /// The content hash that names this spec.
    public var id: String { contentHash(json) }

    /// The definition of a declared type name.
    public func definition(of name: String) -> TypeDefinition? { types.first { $0.name == name }?.definition }

    /// Follows aliases until a non-alias expression: `Money` → `float`.
    public func resolved(_ type: String, depth: Int = 0) -> TypeExpr? {
        guard case .success(let expr) = TypeExpr.parse(type) else { return nil }
        if case .named(let n) = expr, depth < 64, case .alias(let target)? = definition(of: n) {
            return resolved(target, depth: depth + 1)
        }
        return expr
    }

    /// The normalized spec with its `id` and `path`, as records embed it.
    public var recordJSON: JSON {
        let normalized = json
        guard case .object(var o) = normalized else { return normalized }
        o["id"] = .string(contentHash(normalized))
        if let path { o["path"] = .string(path) }
        return .object(o)
    }

    /// The `{"kind":"spec",...}` record mkspy-spec writes.
    public func record(diagnostics: [Diagnostic]) -> JSON {
        guard case .object(var o) = recordJSON else { return json }
        o["kind"] = "spec"
        o["ok"] = .bool(!diagnostics.contains { $0.severity == .error })
        o["diagnostics"] = .array(diagnostics.map(\.json))
        return .object(o)
    }
}

/// Python names mkspy-gen gives the classes it writes; the spec validator keeps type names
/// clear of them.
public enum GeneratedNames {
    /// `invoice_total` → `InvoiceTotal`.
    public static func className(_ snake: String) -> String {
        snake.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
