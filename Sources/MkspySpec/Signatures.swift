import MkspyCore
import PythonSyntax

/// A DSPy signature as the runtime builds it (dspy/signatures/signature.py).
///
/// - `fields` are in pydantic's `model_fields` order (a base class's fields first, an
///   overridden field keeping its base's place); `Signature.fields`, and so the saved
///   state, lists the inputs first, then the outputs.
/// - A field's `prefix` is `prefix=` or `infer_prefix(name) + ":"`, its `desc` is `desc=`,
///   else pydantic's `description=`, else `"${name}"` (`SignatureMeta.__new__`).
/// - `doc` is the class's `__doc__`: the docstring; without one, the last base signature's
///   non-empty `__doc__` (`dspy.Signature`'s own is empty); without that,
///   `Given the fields `a`, `b`, produce the fields `c`.` over all its fields. DSPy's
///   instructions are `inspect.cleandoc(doc)`.
struct SignatureModel {
    var fields: [(field: Field, isInput: Bool)]
    var doc: String

    var inputs: [Field] { fields.filter(\.isInput).map(\.field) }
    var outputs: [Field] { fields.filter { !$0.isInput }.map(\.field) }
    var instructions: String { cleandoc(doc) }

    /// `_default_instructions`.
    static func defaultDoc(_ fields: [(field: Field, isInput: Bool)]) -> String {
        let names = { (input: Bool) in fields.filter { $0.isInput == input }.map { "`\($0.field.name)`" }.joined(separator: ", ") }
        return "Given the fields \(names(true)), produce the fields \(names(false))."
    }

    /// `Signature(fields, instructions)`: inputs first, then outputs; a `nil` instruction
    /// is the default one.
    init(inputs: [Field], outputs: [Field], instructions: String?) {
        fields = inputs.map { ($0, true) } + outputs.map { ($0, false) }
        doc = instructions ?? Self.defaultDoc(fields)
    }

    init(fields: [(field: Field, isInput: Bool)], doc: String) { self.fields = fields; self.doc = doc }

    /// `with_instructions(text)`.
    func withInstructions(_ text: String) -> SignatureModel {
        SignatureModel(inputs: inputs, outputs: outputs, instructions: text)
    }

    /// `prepend`/`append`: a field first or last among its side; instructions kept.
    func inserting(_ field: Field, input: Bool, first: Bool) -> SignatureModel {
        var side = input ? inputs : outputs
        side.insert(field, at: first ? 0 : side.count)
        return SignatureModel(inputs: input ? side : inputs, outputs: input ? outputs : side, instructions: instructions)
    }
}

/// A field DSPy names itself: prefix inferred, desc `${name}` unless given.
func dspyField(_ name: String, type: String = "str", desc: String? = nil, prefix: String? = nil) -> Field {
    Field(name: name, type: type, desc: desc ?? "${\(name)}", prefix: prefix ?? inferPrefix(name) + ":")
}

/// Why a signature could not be read; `line` is where.
struct SignatureProblem: Error {
    let message: String
}

/// Reads a string signature as `_parse_signature` does: exactly one `->`; each side is
/// the parameter list of `def f(<side>): pass` (only plain parameters count); a field without
/// annotation is `str`; an input and an output may not share a name.
func stringSignature(_ text: String, instructions: String?, types: (Node) -> String) -> Result<SignatureModel, SignatureProblem> {
    let sides = text.components(separatedBy: "->")
    guard sides.count == 2 else {
        return .failure(SignatureProblem(message: "signature '\(text)' must contain exactly one '->'; DSPy raises ValueError"))
    }
    var parsed = [[Field]]()
    for side in sides {
        guard case .success(let module) = parseModule(Array("def f(\(side)): pass".utf8)),
              let args = module.nodes("body").first?.node("args") else {
            return .failure(SignatureProblem(message: "signature '\(text)' is not 'name: type, … -> name: type, …'; DSPy raises SyntaxError"))
        }
        parsed.append(args.nodes("args").map { arg in
            let name = arg.string("arg") ?? ""
            return dspyField(name, type: arg.node("annotation").map(types) ?? "str")
        })
    }
    let both = Set(parsed[0].map(\.name)).intersection(parsed[1].map(\.name))
    guard both.isEmpty else {
        return .failure(SignatureProblem(message: "signature '\(text)' has \(both.sorted().joined(separator: ", ")) both as input and output; DSPy raises ValueError"))
    }
    return .success(SignatureModel(inputs: parsed[0], outputs: parsed[1], instructions: instructions))
}

extension String {
    /// Splits at every occurrence of `separator` (Foundation-free).
    func components(separatedBy separator: String) -> [String] {
        var parts = [String](), current = [UInt8]()
        let bytes = Array(utf8), sep = Array(separator.utf8)
        var i = 0
        while i < bytes.count {
            if i + sep.count <= bytes.count, Array(bytes[i..<(i + sep.count)]) == sep {
                parts.append(String(decoding: current, as: UTF8.self)); current = []; i += sep.count
            } else {
                current.append(bytes[i]); i += 1
            }
        }
        parts.append(String(decoding: current, as: UTF8.self))
        return parts
    }
}

extension ProgramReader {
    /// The signature a predictor is built with: a signature value, a string signature, or
    /// a signature class of the file. Anything else is known only at run time.
    func signature(_ value: Value?, _ call: Node) -> SignatureModel? {
        let line = call.lineno
        switch value {
        case .signature(let s)?:
            return s
        case .string(let text)?:
            switch stringSignature(text, instructions: nil, types: typeText) {
            case .success(let s): return s
            case .failure(let problem): warn(call, problem.message); return nil
            }
        case .classRef(let cls)?:
            return classSignature(cls, call)
        case .imported(let dotted)?:
            warn(call, "the signature \(dotted) of the predictor on line \(line) comes from another file; its fields and instruction are not read statically")
            return nil
        default:
            warn(call, "the signature of the predictor on line \(line) is computed at run time; its fields and instruction are not read statically")
            return nil
        }
    }

    /// A `dspy.Signature` subclass of the file, fields and `__doc__` as SignatureMeta makes them.
    func classSignature(_ cls: Node, _ use: Node, depth: Int = 0) -> SignatureModel? {
        if let cached = signatureCache[ObjectIdentifier(cls)] { return cached }
        let name = cls.string("name") ?? "?"
        guard program.kind(of: cls) == .signature, depth < 32 else {
            warn(use, "\(name) (used on line \(use.lineno)) derives from a class of another file; its fields and instruction are not read statically")
            return nil
        }
        var parents = [SignatureModel]()
        for base in cls.nodes("bases") {
            if program.dspyName(base) == "Signature" { continue }
            if base.type == "Name", let id = base.string("id"), program.aliases[id] == nil, let parent = program.classes[id] {
                if program.kind(of: parent) == .signature {
                    guard let model = classSignature(parent, use, depth: depth + 1) else { return nil }
                    parents.append(model)
                }
            } else {
                warn(use, "\(name) also derives from \(unparse(base) ?? "a class") of another file; fields that class adds are not read statically")
            }
        }
        var fields = [(field: Field, isInput: Bool)]()
        func merge(_ field: Field, _ isInput: Bool) {
            if let i = fields.firstIndex(where: { $0.field.name == field.name }) { fields[i] = (field, isInput) } else { fields.append((field, isInput)) }
        }
        for parent in parents.reversed() { for f in parent.fields { merge(f.field, f.isInput) } }
        for statement in cls.nodes("body") {
            let targets: [Node], annotation: Node?
            switch statement.type {
            case "AnnAssign": targets = statement.nodes("target"); annotation = statement.node("annotation")
            case "Assign": targets = statement.nodes("targets"); annotation = nil
            default: continue
            }
            guard let value = statement.node("value"), value.type == "Call", let f = value.node("func"),
                  let kind = program.dspyName(f), kind == "InputField" || kind == "OutputField" else { continue }
            let options = fieldOptions(value) ?? {
                warn(value, "a desc or prefix of the field on line \(value.lineno) is computed at run time; DSPy's default is assumed")
                return (nil, nil)
            }()
            for target in targets where target.type == "Name" {
                let fieldName = target.string("id")!
                merge(dspyField(fieldName, type: annotation.map(typeText) ?? "str", desc: options.desc, prefix: options.prefix),
                      kind == "InputField")
            }
        }
        var doc = docstring(cls)
        if doc == nil { for parent in parents where !parent.doc.isEmpty { doc = parent.doc } }
        let model = SignatureModel(fields: fields, doc: doc ?? SignatureModel.defaultDoc(fields))
        signatureCache[ObjectIdentifier(cls)] = model
        return model
    }

    /// `desc` (else pydantic's `description`) and `prefix` of an `InputField(...)` or
    /// `OutputField(...)` call; nil when one of them is not a string literal.
    func fieldOptions(_ call: Node) -> (desc: String?, prefix: String?)? {
        let desc = call.keyword("desc") ?? call.keyword("description"), prefix = call.keyword("prefix")
        if let desc, desc.stringConstant == nil { return nil }
        if let prefix, prefix.stringConstant == nil { return nil }
        return (desc?.stringConstant, prefix?.stringConstant)
    }

    /// A class's or function's docstring, as `__doc__` holds it (Python 3.11: not dedented).
    func docstring(_ definition: Node) -> String? {
        guard let first = definition.nodes("body").first, first.type == "Expr" else { return nil }
        return first.node("value")?.stringConstant
    }
}
