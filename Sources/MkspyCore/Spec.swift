/// A named, typed field of a signature, a program, or a record type.
public struct Field: Equatable, Sendable {
    public var name: String
    /// A normalized type expression (see `TypeExpr`); in a program's predictor, the Python
    /// annotation as `ast.unparse` writes it.
    public var type: String
    public var desc: String
    /// DSPy's `prefix` of a program's predictor field (`Question:`); nil in a task spec.
    public var prefix: String?

    public init(name: String, type: String, desc: String = "", prefix: String? = nil) {
        self.name = name; self.type = type; self.desc = desc; self.prefix = prefix
    }

    public var json: JSON {
        var o: JSONObject = ["name": .string(name), "type": .string(type), "desc": .string(desc)]
        if let prefix { o["prefix"] = .string(prefix) }
        return .object(o)
    }
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
    /// For a predictor of a user's program: the DSPy module that built it, and where.
    public var site: PredictorSite?

    public init(name: String, strategy: Strategy, instruction: String, inputs: [Field], outputs: [Field],
                tools: [String] = [], site: PredictorSite? = nil) {
        self.name = name; self.strategy = strategy; self.instruction = instruction
        self.inputs = inputs; self.outputs = outputs; self.tools = tools; self.site = site
    }

    public var json: JSON {
        var o: JSONObject = [
            "name": .string(name), "strategy": .string(strategy.rawValue), "instruction": .string(instruction),
            "inputs": .array(inputs.map(\.json)), "outputs": .array(outputs.map(\.json)),
        ]
        if let site {
            o["kind"] = .string(site.kind)
            o["line"] = .int(site.line)
        } else {
            o["tools"] = .array(tools.map(JSON.string))
        }
        return .object(o)
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
    public var types: [(name: String, definition: TypeDefinition)] { didSet { definitions = Self.byName(types) } }
    public var inputs: [Field]
    public var outputs: [Field]
    public var operations: [Operation]
    public var tools: [Tool]
    /// The metric object as given (validated), or nil.
    public var metric: JSONObject?
    /// The absolute path of the spec file, when it was read from one: tool modules and a
    /// python metric are found beside it. Not part of the content hash.
    public var path: String?
    /// The user's DSPy program this spec was read from; its operations are then the
    /// program's named predictors.
    public var program: ProgramReference? = nil
    /// `types` by name, so that following a long chain of aliases stays linear.
    private var definitions: [String: TypeDefinition]

    init(name: String, description: String, types: [(name: String, definition: TypeDefinition)], inputs: [Field],
         outputs: [Field], operations: [Operation], tools: [Tool], metric: JSONObject?, path: String?,
         program: ProgramReference? = nil) {
        self.name = name; self.description = description; self.types = types
        self.inputs = inputs; self.outputs = outputs; self.operations = operations; self.tools = tools
        self.metric = metric; self.path = path; self.program = program
        definitions = Self.byName(types)
    }

    private static func byName(_ types: [(name: String, definition: TypeDefinition)]) -> [String: TypeDefinition] {
        Dictionary(types.map { ($0.name, $0.definition) }, uniquingKeysWith: { first, _ in first })
    }

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
        if let program {
            o["operations"] = nil
            o["predictors"] = .array(operations.map(\.json))
            o["program"] = program.hashedJSON
        }
        return .object(o)
    }

    /// The content hash that names this spec.
    public var id: String { contentHash(json) }

    /// The definition of a declared type name.
    public func definition(of name: String) -> TypeDefinition? { definitions[name] }

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
        if let program { o["program"] = program.json }
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

/// The Python names a generated program defines and uses. mkspy-gen names its classes with
/// them, choosing names no other thing in the program has; the spec validator and mkspy-gen
/// both refuse the user's names that would still collide, so every name in a rendered
/// program means exactly one thing.
public enum GeneratedNames {
    /// `invoice_total` → `InvoiceTotal`.
    public static func className(_ snake: String) -> String {
        snake.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The classes a generated program defines: the `dspy.Module` and, per operation name,
    /// its `dspy.Signature`.
    public struct Classes: Equatable, Sendable {
        public let program: String
        public let signatures: [String: String]
    }

    /// The names of the generated classes. Each is its spec or operation name in CamelCase
    /// unless the program already means something else by that name (a type, a tool, a field,
    /// a name it imports, a keyword, a class named before it); then it ends in "Program" or
    /// "Signature", then also 2, 3, …. The program class is named first, then the signatures
    /// in flow order: spec `answer` with operation `answer` gives `Answer` and `AnswerSignature`.
    public static func classes(_ spec: Spec) -> Classes {
        var taken = moduleNames.union(spec.types.map(\.name)).union(spec.tools.map(\.name))
        for f in spec.inputs + spec.outputs { taken.insert(f.name) }
        for op in spec.operations { for f in op.inputs + op.outputs { taken.insert(f.name) } }
        for t in spec.types { if case .record(let fields) = t.definition { for f in fields { taken.insert(f.name) } } }
        func claim(_ base: String, _ suffix: String) -> String {
            guard isIdentifier(base + suffix) else { return base }  // not a name at all: `problems` says so
            var name = base, n = 1
            while taken.contains(name) || !isIdentifier(name) {
                name = base + suffix + (n == 1 ? "" : String(n))
                n += 1
            }
            taken.insert(name)
            return name
        }
        let program = claim(className(spec.name), "Program")
        var signatures = [String: String]()
        for op in spec.operations where signatures[op.name] == nil {
            signatures[op.name] = claim(className(op.name), "Signature")
        }
        return Classes(program: program, signatures: signatures)
    }

    /// Names the program binds or reads at module level.
    static let moduleNames: Set<String> = [
        "dspy", "pydantic", "typing", "BaseModel", "Field", "Literal", "stream",
        "str", "int", "float", "bool", "list", "dict", "None", "super", "object",
    ]
    /// Field names that would mean something else: locals of `forward`, keyword arguments
    /// `dspy.Predict` takes for itself, `dspy.Example`'s `base`, and class attributes of
    /// `dspy.Signature` that a field may not replace.
    static let reservedFields: Set<String> = [
        "self", "prediction", "program", "signature", "demos", "config", "lm", "new_signature", "base",
        "instructions", "fields", "input_fields", "output_fields",
    ]
    /// Fields `dspy.ChainOfThought` and `dspy.ReAct` add to an operation's signature.
    static let strategyFields: [Strategy: Set<String>] = [
        .predict: [],
        .cot: ["reasoning"],
        .react: ["reasoning", "trajectory", "next_thought", "next_tool_name", "next_tool_args", "max_iters"],
    ]
    /// Attributes of `dspy.Module` that a predictor attribute may not replace.
    static let moduleAttributes: Set<String> = [
        "forward", "aforward", "acall", "batch", "callbacks", "deepcopy", "dump_state", "get_lm", "history",
        "inspect_history", "load", "load_state", "map_named_predictors", "named_parameters",
        "named_predictors", "named_sub_modules", "parameters", "predictors", "reset_copy", "save", "set_lm",
    ]

    static func isIdentifier(_ name: String) -> Bool { Reserved.isIdentifier(name) }

    /// Every reason the spec's names cannot be rendered safely, for the given strategies
    /// (operation name → strategy; an absent operation keeps the spec's), each with the jq
    /// path of the name to change.
    public static func problems(_ spec: Spec, strategies: [String: Strategy]) -> [(path: JSONPath, message: String)] {
        let root = JSONPath.root
        var problems = [(path: JSONPath, message: String)]()
        var global = [String: String]()  // module-level name the user chose → what it is
        func bind(_ name: String, _ what: String, _ path: JSONPath) {
            if !isIdentifier(name) || name.hasPrefix("_") {
                problems.append((path, "\(what) '\(name)' is not a Python identifier"))
            } else if moduleNames.contains(name) {
                problems.append((path, "\(what) '\(name)' would hide the name '\(name)' the program uses"))
            } else if let other = global[name] {
                problems.append((path, "\(what) '\(name)' has the same Python name as \(other)"))
            } else {
                global[name] = "\(what) '\(name)'"
            }
        }
        // The generated classes take names nothing else has (see `classes`), given a name to start from.
        if !isIdentifier(className(spec.name) + "Program") {
            problems.append((root / "name", "spec name '\(spec.name)' is not a Python identifier"))
        }
        for t in spec.types { bind(t.name, "type", root / "types" / t.name) }
        for tool in spec.tools { bind(tool.name, "tool", root / "tools" / tool.name) }

        func field(_ name: String, _ owner: String, _ path: JSONPath, extra: Set<String> = []) {
            if !isIdentifier(name) || name.hasPrefix("_") {
                problems.append((path, "field '\(name)' of \(owner) is not a Python identifier"))
            } else if name.hasPrefix("model_") {
                problems.append((path, "field '\(name)' of \(owner) starts with 'model_', which pydantic reserves"))
            } else if reservedFields.contains(name) || extra.contains(name) || moduleNames.contains(name) {
                problems.append((path, "field '\(name)' of \(owner) would collide with the name '\(name)' that DSPy or the generated program uses"))
            } else if let other = global[name] {
                problems.append((path, "field '\(name)' of \(owner) has the same Python name as \(other)"))
            }
        }
        for t in spec.types {
            if case .record(let fields) = t.definition {
                for f in fields { field(f.name, "record type '\(t.name)'", root / "types" / t.name / f.name) }
            }
        }
        for f in spec.inputs { field(f.name, "the program", root / "inputs" / f.name) }
        for f in spec.outputs { field(f.name, "the program", root / "outputs" / f.name) }
        for (i, op) in spec.operations.enumerated() {
            let path = (root / "operations").index(i)
            if !isIdentifier(op.name) || op.name.hasPrefix("_") || moduleAttributes.contains(op.name) {
                problems.append((path / "name", "operation name '\(op.name)' cannot be an attribute of a dspy.Module"))
            }
            let strategy = strategies[op.name] ?? op.strategy
            for f in op.inputs { field(f.name, "operation '\(op.name)'", path / "inputs" / f.name, extra: strategyFields[strategy] ?? []) }
            for f in op.outputs { field(f.name, "operation '\(op.name)'", path / "outputs" / f.name, extra: strategyFields[strategy] ?? []) }
            for tool in op.tools where strategy == .react && !spec.tools.contains(where: { $0.name == tool }) {
                problems.append((path / "tools", "operation '\(op.name)' uses the undeclared tool '\(tool)'"))
            }
        }
        for tool in spec.tools where !tool.module.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ isIdentifier(String($0)) }) {
            problems.append((root / "tools" / tool.name / "module", "tool '\(tool.name)' has the module '\(tool.module)', which is not a dotted Python name"))
        }
        return problems
    }
}
