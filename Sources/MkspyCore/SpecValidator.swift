/// Validates a task spec and normalizes it. Accepts the spec as a user writes it and the
/// normalized `spec` record mkspy-spec writes (so validation is idempotent). Every problem
/// is reported with a rule id, a jq path and a fix, not only the first.
public func validateSpec(_ object: JSONObject) -> (spec: Spec, diagnostics: [Diagnostic]) {
    let normalized = object["kind"]?.stringValue == "spec"
    var validator = SpecValidator(normalized: normalized)
    let spec = validator.read(object)
    validator.check(spec)
    var diagnostics = validator.diagnostics
    // What static reading found in a program's source cannot be found again from its record.
    if normalized, spec.program != nil {
        let rules: Set<String> = [SpecRule.program.rawValue, SpecRule.programUndecided.rawValue, SpecRule.programArguments.rawValue]
        let reading = (object["diagnostics"]?.arrayValue ?? []).compactMap(Diagnostic.init(json:)).filter { rules.contains($0.rule) }
        diagnostics = reading + diagnostics.filter { !reading.contains($0) }
    }
    // Normalization drops what it could not read, so a record that was invalid keeps the
    // errors it was written with: an invalid spec never turns valid by passing twice.
    if normalized, object["ok"] == .bool(false) {
        let earlier = (object["diagnostics"]?.arrayValue ?? []).compactMap(Diagnostic.init(json:))
        diagnostics += earlier.filter { $0.severity == .error && !diagnostics.contains($0) }
        if !diagnostics.contains(where: { $0.severity == .error }) {
            diagnostics.append(Diagnostic(SpecRule.shape.rawValue, .error, "the spec record says ok:false but lists no error; validate the original spec again", path: "."))
        }
    }
    return (spec, diagnostics)
}

/// What validation finds in a metric given apart from the spec (mkspy-score --metric), as it
/// would find it in the spec's own: a field that is not an output, a negative tolerance, …
public func metricDiagnostics(_ metric: JSONObject, for spec: Spec) -> [Diagnostic] {
    var spec = spec
    spec.metric = metric
    var validator = SpecValidator(normalized: true)
    validator.checkMetric(spec)
    return validator.diagnostics
}

/// The error for a `python` metric whose file does not exist: `path` is relative to
/// `directory` (the spec's directory, else the working directory). mkspy-spec reports it;
/// validation itself never touches the file system.
public func missingMetricFile(_ spec: Spec, directory: String) -> Diagnostic? {
    guard let metric = spec.metric, metric["kind"]?.stringValue == "python",
          let path = metric["path"]?.stringValue, path.hasSuffix(".py") else { return nil }
    let full = path.hasPrefix("/") ? path : "\(directory)/\(path)"
    guard readFile(full) == nil else { return nil }
    return Diagnostic(SpecRule.metric.rawValue, .error, "python metric file \(full) does not exist or cannot be read", path: ".metric.path")
}

/// Parses a DSPy signature string such as `question: str, passages: list[Passage] -> answer`.
/// Untyped fields are `str`, as in DSPy. Types are normalized; errors name the problem.
public func parseSignature(_ text: String) -> Result<(inputs: [Field], outputs: [Field]), TypeSyntaxError> {
    let sides = text.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
    guard sides.count == 2 else {
        return .failure(TypeSyntaxError(message: "signature '\(text)' must have exactly one '->' between inputs and outputs"))
    }
    var result: [[Field]] = []
    for side in sides {
        // A name on both sides is a rebinding, which alignment reports (SPEC019).
        var seen = Set<String>()
        var fields = [Field]()
        for item in splitTopLevel(side) {
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            let name = parts[0]
            guard !name.isEmpty, parts.count == 1 || !parts[1].isEmpty else {
                return .failure(TypeSyntaxError(message: "signature '\(text)' has an empty field name or type; write 'name: type' items separated by commas"))
            }
            guard seen.insert(name).inserted else {
                return .failure(TypeSyntaxError(message: "signature '\(text)' names the field '\(name)' twice; each field appears once"))
            }
            var type = "str"
            if parts.count == 2 {
                switch TypeExpr.parse(parts[1]) {
                case .success(let t): type = t.description
                case .failure(let e): return .failure(e)
                }
            }
            fields.append(Field(name: name, type: type))
        }
        guard !fields.isEmpty else {
            return .failure(TypeSyntaxError(message: "signature '\(text)' needs at least one input and one output field"))
        }
        result.append(fields)
    }
    return .success((result[0], result[1]))
}

/// Splits at commas outside brackets: `a: dict[str, int], b` → ["a: dict[str, int]", "b"].
func splitTopLevel(_ text: String) -> [String] {
    var items = [String]()
    var current = ""
    var depth = 0
    for c in text {
        if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
        if c == ",", depth == 0 { items.append(current); current = ""; continue }
        current.append(c)
    }
    items.append(current)
    let trimmed = items.map(\.trimmingSpaces)
    return trimmed == [""] ? [] : trimmed
}

extension StringProtocol {
    /// The text without leading and trailing ASCII whitespace.
    var trimmingSpaces: String {
        let isSpace = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

struct SpecValidator {
    let normalized: Bool
    var diagnostics: [Diagnostic] = []
    static let root = JSONPath.root

    init(normalized: Bool) { self.normalized = normalized }

    mutating func report(_ rule: SpecRule, _ path: JSONPath, _ message: String) {
        diagnostics.append(Diagnostic(rule.rawValue, rule.severity, message, path: path.description))
    }

    // MARK: Reading (shape)

    mutating func read(_ o: JSONObject) -> Spec {
        if normalized, o["program"] != nil { return readProgramSpec(o) }
        let root = Self.root
        var allowed: Set<String> = ["name", "description", "types", "inputs", "outputs", "operations", "metric", "tools"]
        if normalized { allowed.formUnion(["kind", "id", "ok", "diagnostics", "path"]) }
        unknownKeys(o, allowed, root)

        let name = string(o["name"], root / "name", required: true) ?? ""
        if !name.isEmpty, !(Reserved.isIdentifier(name) && name == name.lowercased()) {
            report(.specName, root / "name", "spec name '\(name)' must be a lower_snake_case identifier, such as invoice_total")
        } else if name.isEmpty, o["name"] != nil {
            report(.specName, root / "name", "spec name is empty; give it a lower_snake_case name such as invoice_total")
        }
        let description = string(o["description"], root / "description", required: false) ?? ""
        let types = readTypes(o["types"], root / "types")
        let tools = readTools(o["tools"], root / "tools")
        let inputs = readFields(o["inputs"], root / "inputs", what: "program inputs")
        let outputs = readFields(o["outputs"], root / "outputs", what: "program outputs")
        let operations = readOperations(o["operations"], root / "operations")
        var metric: JSONObject?
        switch o["metric"] {
        case nil: report(.metricMissing, root / "metric", "no metric: mkspy-score will need --metric; add e.g. {\"kind\": \"exact\", \"field\": \"\(outputs.first?.name ?? "answer")\"}")
        case .object(let m)?: metric = m
        case let other?: report(.metric, root / "metric", "metric must be an object with a \"kind\", got \(other.typeDescription)")
        }
        return Spec(name: name, description: description, types: types, inputs: inputs, outputs: outputs,
                    operations: operations, tools: tools, metric: metric,
                    path: normalized ? o["path"]?.stringValue : nil)
    }

    mutating func unknownKeys(_ o: JSONObject, _ allowed: Set<String>, _ path: JSONPath) {
        for key in o.keys where !allowed.contains(key) {
            let known = allowed.sorted().joined(separator: ", ")
            report(.unknownKey, path / key, "unknown key '\(key)' is ignored; known keys here: \(known)")
        }
        for key in Set(o.duplicateKeys) {
            report(.shape, path / key, "key '\(key)' appears more than once; the last value was used — remove the duplicates")
        }
    }

    mutating func string(_ value: JSON?, _ path: JSONPath, required: Bool) -> String? {
        switch value {
        case .string(let s)?: return s
        case nil: if required { report(.shape, path, "missing required string '\(path)'") }; return nil
        case let other?: report(.shape, path, "must be a string, got \(other.typeDescription)"); return nil
        }
    }

    mutating func normalizeType(_ text: String, _ path: JSONPath) -> String {
        switch TypeExpr.parse(text) {
        case .success(let t): return t.description
        case .failure(let e): report(.typeSyntax, path, e.message); return text
        }
    }

    /// Fields as `{"name": "Type" | {"type","desc"}}` or `[{"name","type","desc"}]`.
    mutating func readFields(_ value: JSON?, _ path: JSONPath, what: String, requireNonEmpty: Bool = true) -> [Field] {
        var fields = [Field]()
        switch value {
        case .object(let o)?:
            for key in Set(o.duplicateKeys) { report(.fieldShape, path / key, "field '\(key)' is declared twice; keep one") }
            for (name, spec) in o {
                if let field = readField(name: name, spec, path / name) { fields.append(field) }
            }
        case .array(let items)?:
            for (i, item) in items.enumerated() {
                guard case .object(let f) = item, let name = f["name"]?.stringValue else {
                    report(.fieldShape, path.index(i), "a field in list form must be an object with \"name\", \"type\" and \"desc\"")
                    continue
                }
                var rest = f
                rest["name"] = nil
                if let field = readField(name: name, .object(rest), path.index(i)) { fields.append(field) }
            }
        case nil: break
        case let other?:
            report(.fieldShape, path, "\(what) must be an object mapping field names to types, got \(other.typeDescription)")
            return []
        }
        if requireNonEmpty, fields.isEmpty {
            report(.fieldShape, path, "\(what) are missing; declare at least one, e.g. {\"question\": \"str\"}")
        }
        var seen = Set<String>()
        for f in fields where !seen.insert(f.name).inserted {
            report(.fieldShape, path, "field '\(f.name)' is declared twice; keep one")
        }
        return fields
    }

    mutating func readField(name: String, _ spec: JSON, _ path: JSONPath) -> Field? {
        if !Reserved.isIdentifier(name) || name.hasPrefix("_") {
            report(.fieldName, path, "field name '\(name)' must be a Python identifier that is not a keyword and does not start with '_'")
        }
        switch spec {
        case .string(let type):
            return Field(name: name, type: normalizeType(type, path))
        case .object(let o):
            unknownKeys(o, ["type", "desc"], path)
            guard let type = string(o["type"], path / "type", required: true) else { return nil }
            let desc = string(o["desc"], path / "desc", required: false) ?? ""
            return Field(name: name, type: normalizeType(type, path / "type"), desc: desc)
        default:
            report(.fieldShape, path, "field '\(name)' must be a type string or {\"type\": …, \"desc\": …}, got \(spec.typeDescription)")
            return nil
        }
    }

    mutating func readTypes(_ value: JSON?, _ path: JSONPath) -> [(name: String, definition: TypeDefinition)] {
        guard let value else { return [] }
        guard case .object(let o) = value else {
            report(.typeDefinition, path, "types must be an object mapping type names to definitions, got \(value.typeDescription)")
            return []
        }
        for key in Set(o.duplicateKeys) {
            report(.typeName, path / key, "type name '\(key)' is declared more than once; type names are unique")
        }
        var types = [(name: String, definition: TypeDefinition)]()
        for (name, definition) in o {
            if let d = readTypeDefinition(definition, path / name) { types.append((name, d)) }
        }
        return types
    }

    mutating func readTypeDefinition(_ value: JSON, _ path: JSONPath) -> TypeDefinition? {
        if normalized, case .object(let o) = value, let kind = o["kind"]?.stringValue {
            switch kind {
            case "alias": return o["type"]?.stringValue.map { .alias(normalizeType($0, path / "type")) }
            case "enum": return readTypeDefinition(o["values"] ?? .array([]), path / "values")
            case "record": return .record(readFields(o["fields"], path / "fields", what: "record fields"))
            default: break
            }
        }
        switch value {
        case .string(let s):
            return .alias(normalizeType(s, path))
        case .array(let items):
            let values = items.compactMap(\.stringValue)
            if values.count != items.count || values.isEmpty {
                report(.typeDefinition, path, "an enumeration is a non-empty array of strings, such as [\"USD\", \"EUR\"]")
            }
            let duplicates = Dictionary(grouping: values, by: { $0 }).filter { $1.count > 1 }.keys.sorted()
            if !duplicates.isEmpty {
                report(.typeDefinition, path, "enumeration values repeat: \(duplicates.joined(separator: ", ")); list each once")
            }
            return .enumeration(values)
        case .object:
            let fields = readFields(value, path, what: "record fields")
            return .record(fields)
        default:
            report(.typeDefinition, path, "a type is a type expression string, an array of enum values, or an object of record fields; got \(value.typeDescription)")
            return nil
        }
    }

    mutating func readTools(_ value: JSON?, _ path: JSONPath) -> [Tool] {
        guard let value else { return [] }
        guard case .object(let o) = value else {
            report(.tools, path, "tools must be an object such as {\"search\": {\"module\": \"mytools\", \"doc\": \"…\"}}")
            return []
        }
        var tools = [Tool]()
        for (name, spec) in o {
            let p = path / name
            if !Reserved.isIdentifier(name) { report(.tools, p, "tool name '\(name)' must be a Python identifier: the function's name in its module") }
            guard case .object(let t) = spec else {
                report(.tools, p, "tool '\(name)' must be an object with \"module\" and \"doc\"")
                continue
            }
            unknownKeys(t, ["module", "doc"], p)
            let module = string(t["module"], p / "module", required: true) ?? ""
            if !module.isEmpty, !module.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ Reserved.isIdentifier(String($0)) }) {
                report(.tools, p / "module", "module '\(module)' must be a dotted Python module name such as mytools or pkg.tools")
            } else if module == "__future__" {  // its imports must open the file, before dspy's
                report(.tools, p / "module", "module '__future__' holds compiler directives, not tools")
            }
            let doc = string(t["doc"], p / "doc", required: false) ?? ""
            tools.append(Tool(name: name, module: module, doc: doc))
        }
        return tools
    }

    mutating func readOperations(_ value: JSON?, _ path: JSONPath) -> [Operation] {
        guard case .array(let items)? = value, !items.isEmpty else {
            report(.operationShape, path, "operations must be a non-empty array; each operation is one predictor in the flow")
            return []
        }
        var operations = [Operation]()
        for (i, item) in items.enumerated() {
            let p = path.index(i)
            guard case .object(let o) = item else {
                report(.operationShape, p, "an operation must be an object, got \(item.typeDescription)")
                continue
            }
            unknownKeys(o, ["name", "inputs", "outputs", "signature", "strategy", "instruction", "tools"], p)
            let name = string(o["name"], p / "name", required: true) ?? "operation_\(i + 1)"
            if !(Reserved.isIdentifier(name) && name == name.lowercased()) {
                report(.operationShape, p / "name", "operation name '\(name)' must be a lower_snake_case identifier")
            }
            if operations.contains(where: { $0.name == name }) {
                report(.operationShape, p / "name", "operation name '\(name)' is used twice; names are unique")
            }
            var inputs = [Field](), outputs = [Field]()
            let hasFields = o["inputs"] != nil || o["outputs"] != nil
            if let signature = o["signature"] {
                if hasFields {
                    report(.signatureForm, p, "operation '\(name)' has both a signature string and inputs/outputs; keep one form")
                }
                if let text = string(signature, p / "signature", required: true) {
                    switch parseSignature(text) {
                    case .success(let fields):
                        inputs = fields.inputs; outputs = fields.outputs
                        for f in inputs + outputs where !Reserved.isIdentifier(f.name) || f.name.hasPrefix("_") {
                            report(.fieldName, p / "signature", "field name '\(f.name)' must be a Python identifier that is not a keyword")
                        }
                    case .failure(let e): report(.signatureSyntax, p / "signature", e.message)
                    }
                }
            } else if hasFields {
                inputs = readFields(o["inputs"], p / "inputs", what: "operation inputs")
                outputs = readFields(o["outputs"], p / "outputs", what: "operation outputs")
            } else {
                report(.signatureForm, p, "operation '\(name)' declares no fields; give \"inputs\" and \"outputs\", or a \"signature\" such as \"question -> answer\"")
            }
            var strategy = Strategy.predict
            if let s = string(o["strategy"], p / "strategy", required: false) {
                if let known = Strategy(rawValue: s) { strategy = known } else {
                    report(.strategy, p / "strategy", "unknown strategy '\(s)'; use predict, cot or react")
                }
            }
            var tools = [String]()
            if let t = o["tools"] {
                if case .array(let names) = t, names.allSatisfy({ $0.stringValue != nil }) {
                    tools = names.compactMap(\.stringValue)
                } else {
                    report(.tools, p / "tools", "tools must be an array of tool names declared in the spec's \"tools\"")
                }
            }
            let instruction = string(o["instruction"], p / "instruction", required: false)
                ?? "Given the fields \(inputs.map { "`\($0.name)`" }.joined(separator: ", ")), produce the fields \(outputs.map { "`\($0.name)`" }.joined(separator: ", "))."
            operations.append(Operation(name: name, strategy: strategy, instruction: instruction,
                                        inputs: inputs, outputs: outputs, tools: tools))
        }
        return operations
    }

    // MARK: Checking (meaning)

    mutating func check(_ spec: Spec) {
        if spec.program != nil { return checkMetric(spec) }
        checkTypes(spec)
        checkFieldTypes(spec)
        checkTools(spec)
        checkAlignment(spec)
        checkMetric(spec)
        checkNames(spec)
        checkGeneratedNames(spec)
    }

    /// A spec without errors must render: no name may collide with what the generated
    /// program or DSPy uses, under any strategy evolution may give an operation.
    mutating func checkGeneratedNames(_ spec: Spec) {
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return }
        var strategies = [String: Strategy]()
        for op in spec.operations { strategies[op.name] = op.tools.isEmpty ? .cot : .react }
        for problem in GeneratedNames.problems(spec, strategies: strategies) {
            report(.nameClash, problem.path, problem.message + "; rename it")
        }
    }

    mutating func checkTypes(_ spec: Spec) {
        let path = Self.root / "types"
        let declared = Set(spec.types.map(\.name))
        for (name, definition) in spec.types {
            if TypeExpr.primitives.contains(name) || Reserved.typeNames.contains(name) {
                report(.typeShadows, path / name, "type name '\(name)' shadows a built-in name; choose another, such as \(name.prefix(1).uppercased() + name.dropFirst())Value")
            } else if !Reserved.isIdentifier(name) {
                report(.typeName, path / name, "type name '\(name)' must be a Python identifier, such as LineItem")
            }
            switch definition {
            case .alias(let t): unresolved(t, declared, path / name)
            case .enumeration: break
            case .record(let fields):
                for f in fields { unresolved(f.type, declared, path / name / f.name) }
            }
        }
        // Cycles, each reported once, at the first type of the cycle in declaration order.
        var references = [String: [String]]()
        for (name, definition) in spec.types {
            switch definition {
            case .alias(let t): references[name] = refs(t)
            case .enumeration: references[name] = []
            case .record(let fields): references[name] = fields.flatMap { refs($0.type) }
            }
        }
        // Only a type in a strongly connected component can be on a cycle, and its cycle stays
        // inside that component: searching there alone keeps long alias chains linear.
        let component = components(references, order: spec.types.map(\.name))
        var reported = Set<String>()
        for (name, _) in spec.types where !reported.contains(name) {
            if let cycle = findCycle(from: name, references, within: component) {
                reported.formUnion(cycle)
                report(.typeCycle, path / name, "types refer to each other in a cycle: \((cycle + [cycle[0]]).joined(separator: " -> ")); break the cycle")
            }
        }
    }

    func refs(_ type: String) -> [String] {
        if case .success(let t) = TypeExpr.parse(type) { return t.references }
        return []
    }

    func findCycle(from start: String, _ graph: [String: [String]], within component: [String: Int]) -> [String]? {
        var stack = [start]
        var visited = Set<String>()
        let home = component[start]
        func visit(_ node: String) -> [String]? {
            for next in graph[node] ?? [] {
                if next == start { return stack }
                if component[next] == home, visited.insert(next).inserted {
                    stack.append(next)
                    if let cycle = visit(next) { return cycle }
                    stack.removeLast()
                }
            }
            return nil
        }
        return visit(start)
    }

    /// The strongly connected component of every node of `graph`, numbered (Tarjan's
    /// algorithm, with an explicit stack: an alias chain may be longer than the call stack).
    func components(_ graph: [String: [String]], order: [String]) -> [String: Int] {
        var index = [String: Int](), low = [String: Int](), component = [String: Int]()
        var open = [String](), isOpen = Set<String>()
        var count = 0
        func discover(_ node: String) {
            index[node] = index.count
            low[node] = index[node]
            open.append(node)
            isOpen.insert(node)
        }
        for root in order where index[root] == nil {
            discover(root)
            var work = [(node: root, edge: 0)]
            while let (node, edge) = work.last {
                let edges = graph[node] ?? []
                if edge < edges.count {
                    work[work.count - 1].edge += 1
                    let next = edges[edge]
                    if graph[next] == nil { continue }
                    if index[next] == nil {
                        discover(next)
                        work.append((next, 0))
                    } else if isOpen.contains(next) {
                        low[node] = min(low[node]!, index[next]!)
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last?.node { low[parent] = min(low[parent]!, low[node]!) }
                if low[node] == index[node] {
                    while let member = open.popLast() {
                        isOpen.remove(member)
                        component[member] = count
                        if member == node { break }
                    }
                    count += 1
                }
            }
        }
        return component
    }

    mutating func unresolved(_ type: String, _ declared: Set<String>, _ path: JSONPath) {
        for name in refs(type) where !declared.contains(name) {
            let close = declared.first { $0.lowercased() == name.lowercased() }
            report(.typeUnresolved, path, "type '\(name)' is not declared" + (close.map { "; did you mean '\($0)'?" } ?? "; declare it under \"types\" or use str, int, float or bool"))
        }
    }

    mutating func checkFieldTypes(_ spec: Spec) {
        let declared = Set(spec.types.map(\.name))
        for f in spec.inputs { unresolved(f.type, declared, Self.root / "inputs" / f.name) }
        for f in spec.outputs { unresolved(f.type, declared, Self.root / "outputs" / f.name) }
        for (i, op) in spec.operations.enumerated() {
            for f in op.inputs { unresolved(f.type, declared, Self.root / "operations" ~ i / "inputs" / f.name) }
            for f in op.outputs { unresolved(f.type, declared, Self.root / "operations" ~ i / "outputs" / f.name) }
        }
    }

    mutating func checkTools(_ spec: Spec) {
        let declared = Set(spec.tools.map(\.name))
        for (i, op) in spec.operations.enumerated() {
            let p = Self.root / "operations" ~ i
            if op.strategy == .react, op.tools.isEmpty {
                report(.tools, p, "operation '\(op.name)' uses strategy react but lists no tools; add \"tools\": [\"name\"] declared under the spec's \"tools\"")
            }
            if op.strategy != .react, !op.tools.isEmpty {
                report(.tools, p / "tools", "operation '\(op.name)' lists tools but only strategy react calls tools; set \"strategy\": \"react\" or remove them")
            }
            for tool in op.tools where !declared.contains(tool) {
                report(.tools, p / "tools", "tool '\(tool)' is not declared; add it under the spec's \"tools\" with its module")
            }
        }
    }

    mutating func checkAlignment(_ spec: Spec) {
        var bound = [String: (type: String, producer: Int?)]()
        var used = Set<String>()
        for f in spec.inputs { bound[f.name] = (f.type, nil) }
        for (i, op) in spec.operations.enumerated() {
            let p = Self.root / "operations" ~ i
            for f in op.inputs {
                guard let b = bound[f.name] else {
                    let later = spec.operations[(i + 1)...].first { $0.outputs.contains { $0.name == f.name } }
                    report(.unboundInput, p / "inputs" / f.name, "input '\(f.name)' of '\(op.name)' is not bound: no program input or earlier operation output has that name"
                           + (later.map { "; '\($0.name)' produces it later, so move '\(op.name)' after it" } ?? "; add it to the program inputs or produce it earlier"))
                    continue
                }
                used.insert(f.name)
                if b.type != f.type {
                    let source = b.producer.map { "operation '\(spec.operations[$0].name)' produces it" } ?? "the program input"
                    report(.typeMismatch, p / "inputs" / f.name, "input '\(f.name)' of '\(op.name)' has type \(f.type) but \(source) as \(b.type); types must match exactly")
                }
            }
            for f in op.outputs {
                if let b = bound[f.name] {
                    let source = b.producer.map { "operation '\(spec.operations[$0].name)'" } ?? "the program inputs"
                    report(.rebound, p / "outputs" / f.name, "output '\(f.name)' of '\(op.name)' is already bound by \(source); give it a new name")
                } else {
                    bound[f.name] = (f.type, i)
                }
            }
        }
        for f in spec.outputs {
            let p = Self.root / "outputs" / f.name
            used.insert(f.name)
            guard let b = bound[f.name], b.producer != nil else {
                report(.outputNotProduced, p, "program output '\(f.name)' is not produced by any operation; add it to an operation's outputs")
                continue
            }
            if b.type != f.type {
                report(.typeMismatch, p, "program output '\(f.name)' has type \(f.type) but operation '\(spec.operations[b.producer!].name)' produces \(b.type); types must match exactly")
            }
        }
        for (i, op) in spec.operations.enumerated() {
            for f in op.outputs where !used.contains(f.name) && bound[f.name]?.producer == i {
                report(.unusedOutput, Self.root / "operations" ~ i / "outputs" / f.name, "output '\(f.name)' of '\(op.name)' is never used; consume it, make it a program output, or remove it")
            }
        }
        for f in spec.inputs where !used.contains(f.name) {
            report(.unusedInput, Self.root / "inputs" / f.name, "program input '\(f.name)' is never used by an operation; use it or remove it")
        }
    }

    mutating func checkMetric(_ spec: Spec) {
        guard let m = spec.metric else { return }
        let p = Self.root / "metric"
        let kinds: [String: Set<String>] = [
            "exact": [], "f1": [], "contains": [], "json": [], "numeric": ["tolerance"],
            "judge": ["rubric"], "python": ["path", "function"],
        ]
        guard let kind = m["kind"]?.stringValue, let extra = kinds[kind] else {
            report(.metric, p / "kind", "metric kind must be one of \(kinds.keys.sorted().joined(separator: ", "))")
            return
        }
        unknownKeys(m, extra.union(["kind", "field"]), p)
        var field: Field?
        if let f = m["field"] {
            // A program's outputs are what forward returns, which static reading may not know.
            if spec.program != nil, spec.outputs.isEmpty, f.stringValue != nil {
            } else if let name = f.stringValue, let out = spec.outputs.first(where: { $0.name == name }) {
                field = out
            } else {
                report(.metricField, p / "field", "metric field must name a program output: \(spec.outputs.map(\.name).joined(separator: ", "))")
            }
        } else if spec.outputs.count == 1 {
            field = spec.outputs[0]
        }
        switch kind {
        case "numeric":
            guard let field else {
                if m["field"] == nil { report(.metricField, p, "a numeric metric needs \"field\": the program output to compare") }
                break
            }
            var base = spec.resolved(field.type)
            if case .optional(let inner)? = base { base = inner }
            if case .named(let n)? = base { base = spec.resolved(n) }
            // A program's annotation may be any Python type: only a definite primitive is wrong.
            if base != .primitive("int"), base != .primitive("float"), spec.program == nil || TypeExpr.primitives.contains(field.type) {
                report(.metricField, p / "field", "numeric metric field '\(field.name)' has type \(field.type), which is not int or float")
            }
            if let t = m["tolerance"], (t.doubleValue ?? -1) < 0 {
                report(.metric, p / "tolerance", "tolerance must be a number ≥ 0, such as 0.01")
            }
        case "judge":
            if (m["rubric"]?.stringValue ?? "").isEmpty {
                report(.metric, p / "rubric", "a judge metric needs a \"rubric\": what a good answer does")
            }
        case "python":
            if let path = m["path"]?.stringValue, path.hasSuffix(".py") {} else {
                report(.metric, p / "path", "a python metric needs \"path\" to a .py file, relative to the spec's directory")
            }
            if let function = m["function"]?.stringValue, Reserved.isIdentifier(function) {} else {
                report(.metric, p / "function", "a python metric needs \"function\": the name of a function (gold, pred, trace, pred_name, pred_trace)")
            }
        default: break
        }
    }

    mutating func checkNames(_ spec: Spec) {
        // A name bound once and consumed later is linted once, where it first appears.
        var linted = Set<String>()
        func lint(_ f: Field, _ path: JSONPath, inputs: [String] = [], signatureField: Bool = true) {
            guard linted.insert(f.name).inserted else { return }
            for (rule, message) in NamingLint.check(f.name, inputs: inputs, signatureField: signatureField) {
                report(rule, path, message)
            }
        }
        for f in spec.inputs { lint(f, Self.root / "inputs" / f.name) }
        for f in spec.outputs { lint(f, Self.root / "outputs" / f.name) }
        let programFields = Set((spec.inputs + spec.outputs).map(\.name))
        for (i, op) in spec.operations.enumerated() {
            let p = Self.root / "operations" ~ i
            for f in op.inputs where !programFields.contains(f.name) { lint(f, p / "inputs" / f.name) }
            for f in op.outputs where !programFields.contains(f.name) {
                lint(f, p / "outputs" / f.name, inputs: op.inputs.map(\.name))
            }
            for f in op.outputs where programFields.contains(f.name) {
                for (rule, message) in NamingLint.check(f.name, inputs: op.inputs.map(\.name)) where rule == .namingEcho {
                    report(rule, p / "outputs" / f.name, message)
                }
            }
        }
        for (name, definition) in spec.types {
            if case .record(let fields) = definition {
                for f in fields {
                    for (rule, message) in NamingLint.check(f.name, signatureField: false) {
                        report(rule, Self.root / "types" / name / f.name, message)
                    }
                }
            }
        }
    }
}

infix operator ~: MultiplicationPrecedence
private func ~ (path: JSONPath, index: Int) -> JSONPath { path.index(index) }
