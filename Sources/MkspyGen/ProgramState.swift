import MkspyCore

/// A candidate of a user's program (a spec with `program`): its `source` is the user's file,
/// unchanged, and its `state` is exactly what `program.save("x.json")` writes (state only)
/// for the program with the genome applied, so `program.load()` in the user's code
/// reproduces the candidate. DSPy's format (dspy/primitives/base_module.py `save`,
/// `dump_state`; dspy/predict/predict.py `Predict.dump_state`): per named parameter, for a
/// predictor `{"traces": [], "train": [], "demos": [...], "signature": {"instructions",
/// "fields": [{"prefix", "description"}, …inputs then outputs]}, "lm": null}`, and
/// `{"metadata": {"dependency_versions": …}}`.
public enum ProgramState {
    /// `dspy.utils.saving.get_dependency_versions()` in mkspy's pinned runtime
    /// (share/mkspy/runtime/requirements.txt, made on Python 3.11): pinned, so the same
    /// genome gives the same bytes on every machine, and true of where candidates are
    /// scored. `program.load()` only logs a warning when the user's versions differ.
    public static let dependencyVersions: JSONObject = ["python": "3.11", "dspy": "3.4.1", "cloudpickle": "3.1"]

    /// Sets the candidate's `source` (the program file, which must still be the one the spec
    /// names) and `state`.
    public static func render(_ candidate: inout Candidate) throws(RenderError) {
        candidate.source = try source(candidate.spec)
        candidate.state = try state(candidate.spec, candidate.genome)
    }

    /// The program file's text; an error when it cannot be read or its SHA-256 is no
    /// longer the one mkspy-spec recorded.
    public static func source(_ spec: Spec) throws(RenderError) -> String {
        guard let program = spec.program else { throw RenderError("the spec names no program") }
        guard let bytes = readFile(program.path) else {
            throw RenderError("cannot read the program \(program.path)")
        }
        let digest = sha256(bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        guard digest == program.sha256 else {
            throw RenderError("the program \(program.path) changed since mkspy-spec read it (its sha256 differs); run mkspy-spec on it again")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The saved state for `genome` (its instructions, field descriptions and demos).
    public static func state(_ spec: Spec, _ genome: Genome) throws(RenderError) -> JSONObject {
        var state = spec.program?.fixedState ?? JSONObject()
        for op in spec.operations {
            guard let module = genome.modules[op.name] else { throw RenderError("the genome has no module for predictor '\(op.name)'") }
            // An instruction static reading could not read would overwrite the program's own.
            guard !module.instruction.isEmpty else {
                throw RenderError("predictor '\(op.name)' has no instruction (static reading could not read it), so its saved state cannot be written")
            }
            let fields = (op.inputs + op.outputs).map { f -> JSON in
                ["prefix": .string(f.prefix ?? ""), "description": .string(module.descriptions[f.name] ?? f.desc)]
            }
            // DSPy holds an instruction cleaned (inspect.cleandoc), and saves it so; the program's
            // own one was read so already, and cleaning it twice can change it.
            let instruction = module.instruction == op.instruction ? op.instruction : cleandoc(module.instruction)
            state[op.name] = [
                "traces": [], "train": [], "demos": .array(module.demos.map(JSON.object)), "lm": nil,
                "signature": ["instructions": .string(instruction), "fields": .array(fields)],
            ]
        }
        state["metadata"] = ["dependency_versions": .object(dependencyVersions)]
        return state
    }
}
