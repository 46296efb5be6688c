/// The user's DSPy program a spec was read from (`mkspy-spec PROGRAM.py`).
public struct ProgramReference: Equatable, Sendable {
    /// The absolute path of the `.py` file. Not part of the content hash.
    public var path: String
    /// The `dspy.Module` subclass that is the program.
    public var className: String
    /// The SHA-256 of the file's bytes, in hex: the spec names this very file.
    public var sha256: String
    /// State entries of the program's parameters that are not predictors (`dspy.Retrieve`
    /// saves `{"k": 3}`): every candidate's state holds them as they are.
    public var fixedState: JSONObject
    /// The parameters of `forward` that have a default: an example may leave them out.
    public var optionalInputs: [String]

    public init(path: String, className: String, sha256: String, fixedState: JSONObject = JSONObject(),
                optionalInputs: [String] = []) {
        self.path = path; self.className = className; self.sha256 = sha256; self.fixedState = fixedState
        self.optionalInputs = optionalInputs
    }

    /// The members the spec's content hash covers.
    var hashedJSON: JSON {
        var o: JSONObject = ["class": .string(className), "sha256": .string(sha256)]
        if !fixedState.isEmpty { o["fixed_state"] = .object(fixedState) }
        if !optionalInputs.isEmpty { o["optional_inputs"] = .array(optionalInputs.map(JSON.string)) }
        return .object(o)
    }

    /// The `program` member of a spec record.
    public var json: JSON {
        guard case .object(var o) = hashedJSON else { return hashedJSON }
        o["path"] = .string(path)
        return .object(o)
    }
}

/// Where a program's predictor comes from: the DSPy module class that built it
/// (`Predict`, `ChainOfThought`, `ReAct`, …) and the line of that call.
public struct PredictorSite: Equatable, Sendable {
    public var kind: String
    public var line: Int

    public init(kind: String, line: Int) { self.kind = kind; self.line = line }
}

extension Spec {
    /// The input fields every example must have: all of a generated program's, and the
    /// parameters of a user's `forward` that have no default.
    public var requiredInputs: [String] {
        let optional = Set(program?.optionalInputs ?? [])
        return inputs.map(\.name).filter { !optional.contains($0) }
    }

    /// A spec read from a user's program: one operation per named predictor.
    public init(program: ProgramReference, name: String, description: String,
                types: [(name: String, definition: TypeDefinition)], inputs: [Field], outputs: [Field],
                predictors: [Operation], metric: JSONObject?) {
        self.init(name: name, description: description, types: types, inputs: inputs, outputs: outputs,
                  operations: predictors, tools: [], metric: metric, path: program.path, program: program)
    }
}

/// Reading the `spec` record of a program. Only mkspy-spec writes one, so only the
/// normalized form is read: types are Python annotations kept as written, and only the
/// metric is checked (the program itself was read when the record was made).
extension SpecValidator {
    mutating func readProgramSpec(_ o: JSONObject) -> Spec {
        let root = Self.root
        unknownKeys(o, ["kind", "id", "ok", "diagnostics", "path", "name", "description", "program", "types",
                        "inputs", "outputs", "predictors", "tools", "metric"], root)
        let name = string(o["name"], root / "name", required: true) ?? ""
        let description = string(o["description"], root / "description", required: false) ?? ""
        var program = ProgramReference(path: "", className: "", sha256: "")
        if case .object(let p)? = o["program"] {
            unknownKeys(p, ["path", "class", "sha256", "fixed_state", "optional_inputs"], root / "program")
            program.path = string(p["path"], root / "program" / "path", required: true) ?? ""
            program.className = string(p["class"], root / "program" / "class", required: false) ?? ""
            program.sha256 = string(p["sha256"], root / "program" / "sha256", required: true) ?? ""
            program.fixedState = p["fixed_state"]?.objectValue ?? JSONObject()
            program.optionalInputs = (p["optional_inputs"]?.arrayValue ?? []).compactMap(\.stringValue)
        } else {
            report(.shape, root / "program", "program must be an object {\"path\", \"class\", \"sha256\"}")
        }
        var types = [(name: String, definition: TypeDefinition)]()
        for (typeName, value) in o["types"]?.objectValue ?? JSONObject() {
            switch value["kind"]?.stringValue {
            case "alias": types.append((typeName, .alias(value["type"]?.stringValue ?? "")))
            case "enum": types.append((typeName, .enumeration((value["values"]?.arrayValue ?? []).compactMap(\.stringValue))))
            case "record": types.append((typeName, .record(programFields(value["fields"], root / "types" / typeName / "fields"))))
            default: report(.typeDefinition, root / "types" / typeName, "a program's type is {\"kind\": \"alias\"|\"enum\"|\"record\", …}")
            }
        }
        var predictors = [Operation]()
        var names = Set<String>()
        for (i, item) in (o["predictors"]?.arrayValue ?? []).enumerated() {
            let p = (root / "predictors").index(i)
            guard case .object(let q) = item else {
                report(.operationShape, p, "a predictor must be an object, got \(item.typeDescription)")
                continue
            }
            unknownKeys(q, ["name", "kind", "line", "strategy", "instruction", "inputs", "outputs"], p)
            let name = string(q["name"], p / "name", required: true) ?? ""
            if !names.insert(name).inserted {
                report(.operationShape, p / "name", "predictor name '\(name)' is used twice; named_predictors() names are unique")
            }
            let strategy = q["strategy"]?.stringValue.flatMap(Strategy.init(rawValue:))
            if strategy == nil { report(.strategy, p / "strategy", "strategy must be predict, cot or react") }
            predictors.append(Operation(
                name: name, strategy: strategy ?? .predict,
                instruction: string(q["instruction"], p / "instruction", required: true) ?? "",
                inputs: programFields(q["inputs"], p / "inputs"), outputs: programFields(q["outputs"], p / "outputs"),
                site: PredictorSite(kind: string(q["kind"], p / "kind", required: true) ?? "", line: q["line"]?.intValue ?? 0)))
        }
        var metric: JSONObject?
        switch o["metric"] {
        case nil: report(.metricMissing, root / "metric", "no metric: mkspy-score will need --metric; give mkspy-spec --metric metric.json")
        case .object(let m)?: metric = m
        case let other?: report(.metric, root / "metric", "metric must be an object with a \"kind\", got \(other.typeDescription)")
        }
        var spec = Spec(program: program, name: name, description: description, types: types,
                        inputs: programFields(o["inputs"], root / "inputs"), outputs: programFields(o["outputs"], root / "outputs"),
                        predictors: predictors, metric: metric)
        spec.path = o["path"]?.stringValue
        return spec
    }

    /// Fields as `[{"name","type","desc","prefix"}]`, types kept as written.
    mutating func programFields(_ value: JSON?, _ path: JSONPath) -> [Field] {
        var fields = [Field]()
        for (i, item) in (value?.arrayValue ?? []).enumerated() {
            guard case .object(let f) = item, let name = f["name"]?.stringValue else {
                report(.fieldShape, path.index(i), "a field must be an object with \"name\", \"type\" and \"desc\"")
                continue
            }
            unknownKeys(f, ["name", "type", "desc", "prefix"], path.index(i))
            fields.append(Field(name: name, type: f["type"]?.stringValue ?? "str", desc: f["desc"]?.stringValue ?? "",
                                prefix: f["prefix"]?.stringValue))
        }
        return fields
    }
}
