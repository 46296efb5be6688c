/// What evolution edits for one operation: its strategy, instruction, field descriptions
/// and demos.
public struct ModuleGenome: Equatable, Sendable {
    public var strategy: Strategy
    public var instruction: String
    /// Field name → description, for the operation's inputs and outputs.
    public var descriptions: [String: String]
    /// Demonstrations: field name → value, for inputs and outputs (and "reasoning" for cot).
    public var demos: [JSONObject]

    public init(strategy: Strategy, instruction: String, descriptions: [String: String], demos: [JSONObject] = []) {
        self.strategy = strategy; self.instruction = instruction; self.descriptions = descriptions; self.demos = demos
    }

    public var json: JSON {
        var fields = JSONObject()
        for (k, v) in descriptions { fields[k] = .string(v) }
        return ["strategy": .string(strategy.rawValue), "instruction": .string(instruction),
                "fields": .object(fields), "demos": .array(demos.map(JSON.object))]
    }

    public init?(json: JSON) {
        guard let strategy = json["strategy"]?.stringValue.flatMap(Strategy.init(rawValue:)),
              let instruction = json["instruction"]?.stringValue else { return nil }
        // Absent fields and demos are none; present ones are read whole or not at all (a demo
        // or description dropped would be lost without a word, and change the candidate's id).
        var descriptions = [String: String]()
        if let fields = json["fields"], !fields.isNull {
            guard let object = fields.objectValue else { return nil }
            for (k, v) in object {
                guard let text = v.stringValue else { return nil }
                descriptions[k] = text
            }
        }
        var demos = [JSONObject]()
        if let list = json["demos"], !list.isNull {
            guard let items = list.arrayValue else { return nil }
            for item in items {
                guard let demo = item.objectValue else { return nil }
                demos.append(demo)
            }
        }
        self.init(strategy: strategy, instruction: instruction, descriptions: descriptions, demos: demos)
    }
}

/// A candidate's genome: one `ModuleGenome` per operation, keyed by operation name
/// (`.genome.extract_items.instruction` in jq).
public struct Genome: Equatable, Sendable {
    public var modules: [String: ModuleGenome]

    public init(modules: [String: ModuleGenome]) { self.modules = modules }

    /// The seed genome of a spec: its instructions, descriptions and strategies, no demos.
    public init(seed spec: Spec) {
        var modules = [String: ModuleGenome]()
        for op in spec.operations {
            var descriptions = [String: String]()
            for f in op.inputs + op.outputs { descriptions[f.name] = f.desc }
            modules[op.name] = ModuleGenome(strategy: op.strategy, instruction: op.instruction, descriptions: descriptions)
        }
        self.modules = modules
    }

    public var json: JSON {
        var o = JSONObject()
        for name in modules.keys.sorted() { o[name] = modules[name]!.json }
        return .object(o)
    }

    public init?(json: JSON) {
        guard let o = json.objectValue else { return nil }
        var modules = [String: ModuleGenome]()
        for (name, value) in o {
            guard let m = ModuleGenome(json: value) else { return nil }
            modules[name] = m
        }
        self.modules = modules
    }
}

/// The `candidate` record: a spec, a genome and what the tools have added, each member with
/// its type. Members this version does not know are kept in `extra` and written back.
public struct Candidate: Sendable {
    public var spec: Spec
    public var genome: Genome
    public var parents: [String]
    public var origin: String
    public var generation: Int
    /// The rendered Python program, once mkspy-gen has rendered it; for a user's program,
    /// that file unchanged.
    public var source: String?
    /// For a user's program: what `program.save(path)` writes (state only) with the genome
    /// applied, the file `program.load()` reads (`state`); nil for a generated program.
    public var state: JSONObject?
    /// What mkspy-check found (`check`).
    public var check: CheckResult?
    /// Example id → score entry, as mkspy-score wrote them (`scores`).
    public var scores: Scores?
    /// The LM usage summed over `scores` (`usage`).
    public var usage: Usage?
    /// mkspy-score's account of its last run (`summary`).
    public var summary: Summary?
    /// The example ids mkspy-score is asked to run next (`want`); nil: all of its data.
    public var want: [String]?
    /// What mkspy-evolve asked of it (`evolve`).
    public var evolve: EvolveMarks?
    /// Every other member of the record, kept as read.
    public var extra: JSONObject

    public init(spec: Spec, genome: Genome, parents: [String] = [], origin: String = "seed", generation: Int = 0) {
        self.spec = spec; self.genome = genome; self.parents = parents; self.origin = origin
        self.generation = generation; self.source = nil; self.extra = JSONObject()
    }

    /// The content hash of the spec id and the genome.
    public var id: String { contentHash(["spec": .string(spec.id), "genome": genome.json]) }

    public var json: JSON {
        var o = extra
        o["kind"] = "candidate"
        o["id"] = .string(id)
        o["spec"] = spec.recordJSON
        o["genome"] = genome.json
        o["parents"] = .array(parents.map(JSON.string))
        o["origin"] = .string(origin)
        o["generation"] = .int(generation)
        o["source"] = source.map(JSON.string)
        o["state"] = state.map(JSON.object)
        o["check"] = check?.json
        o["scores"] = scores?.json
        o["usage"] = usage?.json
        o["summary"] = summary?.json
        o["want"] = want.map { .array($0.map(JSON.string)) }
        o["evolve"] = evolve?.json
        return .object(o)
    }

    static let members = ["kind", "id", "spec", "genome", "parents", "origin", "generation", "source",
                          "state", "check", "scores", "usage", "summary", "want", "evolve"]

    /// Reads a candidate record; the error says what is missing or malformed.
    public init(json object: JSONObject) throws(CandidateError) {
        guard case .object(let specObject)? = object["spec"] else { throw CandidateError("candidate has no \"spec\" object") }
        let (spec, diagnostics) = SpecCache.shared.validated(specObject)
        if let first = diagnostics.first(where: { $0.severity == .error }) {
            throw CandidateError("candidate's spec is invalid: \(first.rule) \(first.path ?? ""): \(first.message)")
        }
        guard let genomeJSON = object["genome"], let genome = Genome(json: genomeJSON) else {
            throw CandidateError("candidate has no valid \"genome\" (operation name → {strategy, instruction, fields, demos})")
        }
        for op in spec.operations where genome.modules[op.name] == nil {
            throw CandidateError("candidate's genome has no module for operation '\(op.name)'")
        }
        if let extra = genome.modules.keys.sorted().first(where: { name in !spec.operations.contains { $0.name == name } }) {
            throw CandidateError("candidate's genome has a module '\(extra)' for no operation of its spec")
        }
        self.spec = spec
        self.genome = genome
        self.parents = (object["parents"]?.arrayValue ?? []).compactMap(\.stringValue)
        self.origin = object["origin"]?.stringValue ?? "seed"
        self.generation = object["generation"]?.intValue ?? 0
        self.source = object["source"]?.stringValue
        self.state = object["state"]?.objectValue
        self.check = object["check"].flatMap { $0.isNull ? nil : CheckResult(json: $0) }
        self.scores = object["scores"].flatMap(Scores.init(json:))
        self.usage = object["usage"]?.objectValue.map { Usage(json: .object($0)) }
        self.summary = object["summary"]?.objectValue.map { Summary(json: .object($0)) }
        self.want = object["want"]?.arrayValue?.compactMap(\.stringValue)
        self.evolve = object["evolve"]?.objectValue.map { EvolveMarks(json: .object($0)) }
        var extra = object
        for key in Self.members { extra[key] = nil }
        self.extra = extra
    }

    /// Whether mkspy-check or mkspy-score refused the program: it will never be scored.
    public var refused: Bool { check?.ok == false || summary?.ok == false }
}

/// The specs candidates embed, validated once per process: an archive repeats one spec in every
/// record, and validating it is most of what reading a record costs.
final class SpecCache: @unchecked Sendable {
    static let shared = SpecCache()
    private let lock = Mutex()
    private var specs: [[UInt8]: (Spec, [Diagnostic])] = [:]

    /// `validateSpec` of the embedded spec object (as a spec record).
    func validated(_ object: JSONObject) -> (Spec, [Diagnostic]) {
        let key = JSON.object(object).encoded
        if let known = lock.locked({ specs[key] }) { return known }
        var record = object
        record["kind"] = "spec"
        let result = validateSpec(record)
        lock.locked { if specs.count < 64 { specs[key] = result } }
        return result
    }
}

/// Why a record could not be read as a candidate.
public struct CandidateError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
