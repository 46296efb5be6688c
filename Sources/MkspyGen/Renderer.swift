import MkspyCore

/// What to add to a rendered program besides `forward`.
public struct RenderOptions: Equatable, Sendable {
    /// Adds `async def aforward(...)`, which awaits each predictor's `acall`.
    public var async: Bool
    /// Adds a module-level `stream()` helper built on `dspy.streamify`.
    public var stream: Bool

    public init(async: Bool = false, stream: Bool = false) { self.async = async; self.stream = stream }
}

/// Why a candidate cannot be rendered.
public struct RenderError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// Renders a candidate's spec and genome into one self-contained DSPy program: Pydantic
/// models and type aliases, one `dspy.Signature` per operation, one `dspy.Module` whose
/// `__init__` builds the predictors (with the genome's demos installed) and whose
/// `forward` calls them in flow order. The same candidate always gives the same bytes.
public enum Renderer {
    public static func render(_ candidate: Candidate, options: RenderOptions = RenderOptions()) throws(RenderError) -> String {
        var program = try ProgramWriter(candidate.spec, candidate.genome, options)
        return program.write(candidateID: candidate.id)
    }
}

/// One rendering: the checked inputs, and the text built from them.
private struct ProgramWriter {
    let spec: Spec
    let genome: Genome
    let options: RenderOptions
    /// Declared types in dependency order.
    let types: [(name: String, definition: TypeDefinition)]
    let classes: GeneratedNames.Classes
    var blocks: [[String]] = []

    init(_ spec: Spec, _ genome: Genome, _ options: RenderOptions) throws(RenderError) {
        self.spec = spec
        self.genome = genome
        self.options = options
        var strategies = [String: Strategy]()
        for op in spec.operations {
            guard let module = genome.modules[op.name] else {
                throw RenderError("the genome has no module for operation '\(op.name)'")
            }
            if module.strategy == .react, op.tools.isEmpty {
                throw RenderError("operation '\(op.name)' declares no tools, so its strategy cannot be react")
            }
            strategies[op.name] = module.strategy
            for demo in module.demos where PythonLiteral.value(.object(demo)) == nil {
                throw RenderError("a demo of operation '\(op.name)' holds a number that is not a JSON number")
            }
        }
        if spec.operations.isEmpty { throw RenderError("the spec has no operations") }
        let problems = GeneratedNames.problems(spec, strategies: strategies)
        if let first = problems.first {
            throw RenderError("cannot render safely: \(first.message)" + (problems.count > 1 ? " (and \(problems.count - 1) more)" : ""))
        }
        types = try Self.dependencyOrder(spec)
        classes = GeneratedNames.classes(spec)
        try Self.checkTypes(spec)
        try Self.checkFlow(spec)
    }

    // MARK: Checks

    /// The declared types with every type before those that refer to it.
    static func dependencyOrder(_ spec: Spec) throws(RenderError) -> [(name: String, definition: TypeDefinition)] {
        var done = Set<String>(), visiting = Set<String>()
        var order = [(name: String, definition: TypeDefinition)]()
        func visit(_ name: String) throws(RenderError) {
            if done.contains(name) { return }
            guard let definition = spec.definition(of: name) else { throw RenderError("type '\(name)' is not declared") }
            if visiting.contains(name) { throw RenderError("type '\(name)' refers to itself") }
            visiting.insert(name)
            for reference in try references(definition) { try visit(reference) }
            visiting.remove(name)
            done.insert(name)
            order.append((name, definition))
        }
        for t in spec.types { try visit(t.name) }
        return order
    }

    static func references(_ definition: TypeDefinition) throws(RenderError) -> [String] {
        switch definition {
        case .alias(let target): return try parse(target).references
        case .enumeration: return []
        case .record(let fields):
            var names = [String]()
            for f in fields { names += try parse(f.type).references }
            return names
        }
    }

    /// A type expression, parsed again so that only its normalized text is ever written.
    static func parse(_ text: String) throws(RenderError) -> TypeExpr {
        switch TypeExpr.parse(text) {
        case .success(let expr): return expr
        case .failure(let error): throw RenderError(error.message)
        }
    }

    static func checkTypes(_ spec: Spec) throws(RenderError) {
        var fields = spec.inputs + spec.outputs
        for op in spec.operations { fields += op.inputs + op.outputs }
        for f in fields {
            for name in try parse(f.type).references where spec.definition(of: name) == nil {
                throw RenderError("field '\(f.name)' has the undeclared type '\(name)'")
            }
        }
    }

    /// Every operation input and program output is bound by an earlier name.
    static func checkFlow(_ spec: Spec) throws(RenderError) {
        var bound = Set(spec.inputs.map(\.name))
        for op in spec.operations {
            for f in op.inputs where !bound.contains(f.name) {
                throw RenderError("input '\(f.name)' of operation '\(op.name)' is not bound to a program input or an earlier output")
            }
            for f in op.outputs { bound.insert(f.name) }
        }
        for f in spec.outputs where !bound.contains(f.name) {
            throw RenderError("program output '\(f.name)' is not produced by any operation")
        }
    }

    // MARK: Writing

    func type(_ text: String) -> String { (try? Self.parse(text).description) ?? text }

    func strategy(_ op: Operation) -> Strategy { genome.modules[op.name]!.strategy }

    var recordFields: [Field] {
        types.flatMap { t -> [Field] in if case .record(let f) = t.definition { f } else { [] } }
    }

    var usesLiteral: Bool { types.contains { if case .enumeration = $0.definition { true } else { false } } }
    var usesModels: Bool { !recordFields.isEmpty }
    var usesField: Bool { recordFields.contains { !$0.desc.isEmpty } }
    var reactOperations: [Operation] { spec.operations.filter { strategy($0) == .react } }

    mutating func write(candidateID: String) -> String {
        var header = ["# Generated by mkspy-gen from spec \(spec.name), candidate \(candidateID)."]
        header.append("")
        if usesLiteral { header += ["from typing import Literal", ""] }
        header.append("import dspy")
        if usesModels { header.append("from pydantic import BaseModel" + (usesField ? ", Field" : "")) }
        let imports = toolImports
        if !imports.isEmpty { header += [""] + imports }
        blocks.append(header)
        writeTypes()
        for op in spec.operations { blocks.append(signature(op)) }
        blocks.append(module())
        if options.stream { blocks.append(streamHelper()) }
        return blocks.map { $0.joined(separator: "\n") + "\n" }.joined(separator: "\n\n")
    }

    /// `from wiki_tools import lookup`, for the tools of react operations, grouped by module.
    var toolImports: [String] {
        var byModule = [String: Set<String>]()
        for op in reactOperations {
            for name in op.tools {
                if let tool = spec.tools.first(where: { $0.name == name }) { byModule[tool.module, default: []].insert(name) }
            }
        }
        return byModule.keys.sorted().map { "from \($0) import " + byModule[$0]!.sorted().joined(separator: ", ") }
    }

    /// Aliases and enumerations as module-level assignments (consecutive ones grouped),
    /// record types as Pydantic models.
    mutating func writeTypes() {
        var assignments = [String]()
        for t in types {
            switch t.definition {
            case .alias(let target):
                assignments.append("\(t.name) = \(type(target))")
            case .enumeration(let values):
                assignments.append("\(t.name) = Literal[" + values.map(PythonLiteral.string).joined(separator: ", ") + "]")
            case .record(let fields):
                if !assignments.isEmpty { blocks.append(assignments); assignments = [] }
                var lines = ["class \(t.name)(BaseModel):"]
                for f in fields { lines.append("    " + modelField(f)) }
                if fields.isEmpty { lines.append("    pass") }
                blocks.append(lines)
            }
        }
        if !assignments.isEmpty { blocks.append(assignments) }
    }

    /// `price: Money`, `email: str | None = None`, `sku: str = Field(description="...")`.
    func modelField(_ f: Field) -> String {
        let optional = if case .optional? = try? Self.parse(f.type) { true } else { false }
        var line = "\(f.name): \(type(f.type))"
        switch (optional, f.desc.isEmpty) {
        case (false, true): break
        case (true, true): line += " = None"
        case (false, false): line += " = Field(description=\(PythonLiteral.string(f.desc)))"
        case (true, false): line += " = Field(default=None, description=\(PythonLiteral.string(f.desc)))"
        }
        return line
    }

    func signature(_ op: Operation) -> [String] {
        let module = genome.modules[op.name]!
        var lines = ["class \(classes.signatures[op.name]!)(dspy.Signature):"]
        lines.append(PythonLiteral.docstring(module.instruction, indent: "    "), trimmingNewline: true)
        lines.append("")
        for (f, kind) in op.inputs.map({ ($0, "InputField") }) + op.outputs.map({ ($0, "OutputField") }) {
            let desc = module.descriptions[f.name] ?? f.desc
            let argument = desc.isEmpty ? "" : "desc=\(PythonLiteral.string(desc))"
            lines.append("    \(f.name): \(type(f.type)) = dspy.\(kind)(\(argument))")
        }
        return lines
    }

    func module() -> [String] {
        var lines = ["class \(classes.program)(dspy.Module):"]
        if !spec.description.isEmpty {
            lines.append(PythonLiteral.docstring(spec.description, indent: "    "), trimmingNewline: true)
            lines.append("")
        }
        lines += ["    def __init__(self):", "        super().__init__()"]
        for op in spec.operations { lines += predictor(op) }
        lines += [""] + forward(async: false)
        if options.async { lines += [""] + forward(async: true) }
        return lines
    }

    /// `self.x = dspy.Predict(X)` and, when the genome has demos, their installation on the
    /// inner predictor that runs the operation's own signature.
    func predictor(_ op: Operation) -> [String] {
        let cls = classes.signatures[op.name]!
        let construction, demoTarget: String
        switch strategy(op) {
        case .predict: construction = "dspy.Predict(\(cls))"; demoTarget = op.name
        case .cot: construction = "dspy.ChainOfThought(\(cls))"; demoTarget = "\(op.name).predict"
        case .react:
            construction = "dspy.ReAct(\(cls), tools=[\(op.tools.joined(separator: ", "))])"
            demoTarget = "\(op.name).extract.predict"
        }
        var lines = ["        self.\(op.name) = \(construction)"]
        let demos = genome.modules[op.name]!.demos
        if !demos.isEmpty {
            lines.append("        self.\(demoTarget).demos = [")
            for demo in demos { lines.append("            dspy.Example(\(example(demo, op))),") }
            lines.append("        ]")
        }
        return lines
    }

    /// A demo as a dict literal: the operation's fields in signature order, then
    /// `reasoning`, then any other keys in sorted order.
    func example(_ demo: JSONObject, _ op: Operation) -> String {
        let known = op.inputs.map(\.name) + ["reasoning"] + op.outputs.map(\.name)
        let rest = demo.keys.filter { !known.contains($0) }.sorted(by: PythonLiteral.scalarOrder)
        let items = (known.filter { demo[$0] != nil } + rest).map { key in
            PythonLiteral.string(key) + ": " + (PythonLiteral.value(demo[key]!) ?? "None")
        }
        return "{" + items.joined(separator: ", ") + "}"
    }

    /// `forward` (or `aforward`): each predictor called with keyword arguments, each output
    /// read by subscript into a local named like the field, the program outputs returned.
    func forward(async: Bool) -> [String] {
        let parameters = (["self"] + spec.inputs.map { "\($0.name): \(type($0.type))" }).joined(separator: ", ")
        var lines = ["    \(async ? "async def aforward" : "def forward")(\(parameters)) -> dspy.Prediction:"]
        var needed = Set(spec.outputs.map(\.name))
        for op in spec.operations { needed.formUnion(op.inputs.map(\.name)) }
        for op in spec.operations {
            let arguments = op.inputs.map { "\($0.name)=\($0.name)" }.joined(separator: ", ")
            let call = async ? "await self.\(op.name).acall(\(arguments))" : "self.\(op.name)(\(arguments))"
            let used = op.outputs.filter { needed.contains($0.name) }
            if used.isEmpty {
                lines.append("        \(call)")
                continue
            }
            lines.append("        prediction = \(call)")
            for f in used { lines.append("        \(f.name) = prediction[\(PythonLiteral.string(f.name))]") }
        }
        let results = spec.outputs.map { "\($0.name)=\($0.name)" }.joined(separator: ", ")
        lines.append("        return dspy.Prediction(\(results))")
        return lines
    }

    /// `stream(program=None)`: the program wrapped by `dspy.streamify`, with a listener on
    /// every output field whose type is `str`.
    func streamHelper() -> [String] {
        let cls = classes.program
        let textFields = spec.operations.flatMap(\.outputs).filter {
            if case .primitive("str")? = spec.resolved($0.type) { true } else { false }
        }
        var lines = [
            "def stream(program: \(cls) | None = None):",
            "    \"\"\"Return the program wrapped by dspy.streamify.",
            "",
            "    Calling the result yields a dspy.streaming.StreamResponse for each chunk of a text",
            "    output as the LM writes it, then the final dspy.Prediction.",
            "    \"\"\"",
            "    if program is None:",
            "        program = \(cls)()",
            "    return dspy.streamify(",
            "        program,",
        ]
        if textFields.isEmpty {
            lines.append("        stream_listeners=[],")
        } else {
            lines.append("        stream_listeners=[")
            for f in textFields {
                lines.append("            dspy.streaming.StreamListener(signature_field_name=\(PythonLiteral.string(f.name)), allow_reuse=True),")
            }
            lines.append("        ],")
        }
        if options.async { lines.append("        is_async_program=True,") }
        lines.append("    )")
        return lines
    }
}

extension Array where Element == String {
    /// Appends a block of text that ends in a newline as lines.
    fileprivate mutating func append(_ text: String, trimmingNewline: Bool) {
        var t = text
        if trimmingNewline, t.hasSuffix("\n") { t.removeLast() }
        append(contentsOf: t.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }
}
