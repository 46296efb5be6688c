import MkspyCore

/// The defensive name check behind rendering. The spec validator already keeps names to
/// Python identifiers; this also refuses names that would collide with what the generated
/// program itself uses (its imports, locals, and the attributes of DSPy classes), so that
/// every name in a rendered program means exactly one thing.
enum Names {
    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]
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

    /// A Python identifier (ASCII letters, digits, underscores) that is not a keyword.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || isLetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || isLetter($0) || ("0"..."9").contains($0) }
            && !keywords.contains(name)
    }

    private static func isLetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) }

    /// Every reason the spec's names cannot be rendered safely, for the given strategies.
    static func problems(_ spec: Spec, strategies: [String: Strategy]) -> [String] {
        var problems = [String]()
        var global = [String: String]()  // module-level name → what it is
        func bind(_ name: String, _ what: String) {
            if !isIdentifier(name) || name.hasPrefix("_") {
                problems.append("\(what) '\(name)' is not a Python identifier")
            } else if moduleNames.contains(name) {
                problems.append("\(what) '\(name)' would hide the name '\(name)' the program uses")
            } else if let other = global[name] {
                problems.append("\(what) '\(name)' has the same Python name as \(other)")
            } else {
                global[name] = "\(what) '\(name)'"
            }
        }
        for t in spec.types { bind(t.name, "type") }
        for tool in spec.tools { bind(tool.name, "tool") }
        for op in spec.operations { bind(GeneratedNames.className(op.name), "signature class of operation '\(op.name)'") }
        bind(GeneratedNames.className(spec.name), "program class of spec '\(spec.name)'")

        func field(_ name: String, _ where_: String, extra: Set<String> = []) {
            if !isIdentifier(name) || name.hasPrefix("_") {
                problems.append("field '\(name)' of \(where_) is not a Python identifier")
            } else if name.hasPrefix("model_") {
                problems.append("field '\(name)' of \(where_) starts with 'model_', which pydantic reserves")
            } else if reservedFields.contains(name) || extra.contains(name) || moduleNames.contains(name) {
                problems.append("field '\(name)' of \(where_) would collide with the name '\(name)' that DSPy or the generated program uses")
            } else if let other = global[name] {
                problems.append("field '\(name)' of \(where_) has the same Python name as \(other)")
            }
        }
        for t in spec.types {
            if case .record(let fields) = t.definition {
                for f in fields { field(f.name, "record type '\(t.name)'") }
            }
        }
        for f in spec.inputs + spec.outputs { field(f.name, "the program") }
        for op in spec.operations {
            if !isIdentifier(op.name) || op.name.hasPrefix("_") || moduleAttributes.contains(op.name) {
                problems.append("operation name '\(op.name)' cannot be an attribute of a dspy.Module")
            }
            let strategy = strategies[op.name] ?? op.strategy
            for f in op.inputs + op.outputs {
                field(f.name, "operation '\(op.name)'", extra: strategyFields[strategy] ?? [])
            }
            for tool in op.tools where strategy == .react && !spec.tools.contains(where: { $0.name == tool }) {
                problems.append("operation '\(op.name)' uses the undeclared tool '\(tool)'")
            }
        }
        for tool in spec.tools where !tool.module.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ isIdentifier(String($0)) }) {
            problems.append("tool '\(tool.name)' has the module '\(tool.module)', which is not a dotted Python name")
        }
        return problems
    }
}
