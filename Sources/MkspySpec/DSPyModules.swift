import MkspyCheck
import MkspyCore
import PythonSyntax

// How DSPy 3.4.1 names predictors, read from its source (dspy/…):
//
// - primitives/module.py `named_predictors()`: the pairs of `named_parameters()` whose
//   value is a `dspy.Predict` (predict/predict.py: `class Predict(Module, Parameter)`).
// - primitives/base_module.py `named_parameters()`: walks `self.__dict__` in insertion
//   order (an attribute assigned again keeps its first place): a Parameter is listed under
//   the attribute's name; a Module (not `_compiled`) contributes its own
//   `named_parameters()`, each prefixed `name.`; a list or tuple gives `name[i]` and a dict
//   `name['key']` for each item that is a Parameter or a Module (nested lists are not
//   followed). A Parameter reached twice (the same object) is listed once, first name wins.
// - predict/chain_of_thought.py: `ChainOfThought` holds `self.predict`, a Predict of the
//   signature with `reasoning` (OutputField, desc `${reasoning}`) prepended to the outputs:
//   attribute `gen` gives `gen.predict`.
// - predict/react.py: `ReAct` holds `self.react` (a Predict) then `self.extract` (a
//   ChainOfThought): `agent.react` and `agent.extract.predict`; `self.tools` is a dict of
//   `Tool`s, which are not Parameters.
// - predict/program_of_thought.py: `code_generate`, `code_regenerate`, `generate_output`,
//   each a ChainOfThought: `pot.code_generate.predict`, ….
// - predict/multi_chain_comparison.py: `self.predict`.
// - predict/refine.py, predict/best_of_n.py: `self.module` is the wrapped module:
//   `refine.module.predict` for a wrapped ChainOfThought.
// - retrievers/retrieve.py: `Retrieve` is a Parameter but not a Predict: it is in the saved
//   state (`{"k": k}`) but not among the predictors.

/// What each DSPy module class builds, as its `__init__` does.
enum DSPyModules {
    /// DSPy classes whose predictors static reading builds.
    static let builders: Set<String> = [
        "Predict", "ChainOfThought", "ReAct", "ProgramOfThought", "MultiChainComparison", "Refine", "BestOfN", "Retrieve",
    ]
    /// DSPy modules and parameters whose predictors or state static reading does not model.
    static let unread: Set<String> = ["CodeAct", "RLM", "ReActV2", "Flex"]

    static func build(_ name: String, _ call: Node, _ reader: ProgramReader, _ scope: inout Scope) -> Value {
        let line = Int(call.lineno)
        func arg(_ index: Int, _ keyword: String) -> Value? { call.argument(index, keyword).map { reader.eval($0, &scope) } }
        func signature() -> SignatureModel? { reader.signature(arg(0, "signature"), call) }
        switch name {
        case "Predict":
            return .predictor(Predictor(kind: name, strategy: .predict, signature: signature(), line: line))
        case "ChainOfThought":
            let sig = signature()
            var reasoning = dspyField("reasoning")
            if let field = call.argument(1, "rationale_field") {
                guard let options = reader.fieldOptions(field), field.type == "Call" else {
                    reader.warn(call, "the rationale_field on line \(line) is computed at run time; its prefix and description are not read")
                    return .module(chainOfThought(sig, kind: name, strategy: .cot, line: line, reasoning: reasoning))
                }
                reasoning = dspyField("reasoning", desc: options.desc, prefix: options.prefix)
            } else if let type = call.argument(2, "rationale_field_type") {
                reasoning.type = reader.typeText(type)
            }
            return .module(chainOfThought(sig, kind: name, strategy: .cot, line: line, reasoning: reasoning))
        case "ReAct":
            return .module(react(signature(), tools: reader.tools(arg(1, "tools"), call), line: line, reader, call))
        case "ProgramOfThought":
            return .module(programOfThought(signature(), line: line))
        case "MultiChainComparison":
            var attempts = 3
            if let m = arg(1, "M") {
                guard case .int(let n) = m else {
                    reader.warn(call, "M of the MultiChainComparison on line \(line) is computed at run time; its signature is not read")
                    return .module(Instance(name, [("predict", .predictor(Predictor(kind: name, strategy: .predict, signature: nil, line: line)))]))
                }
                attempts = n
            }
            return .module(Instance(name, [("predict", .predictor(Predictor(
                kind: name, strategy: .predict, signature: signature().map { multiChain($0, attempts: attempts) }, line: line)))]))
        case "Refine", "BestOfN":
            return .module(Instance(name, [("module", arg(0, "module") ?? .opaque)]))
        case "Retrieve":
            var k = 3
            if let given = arg(0, "k") {
                guard case .int(let n) = given else {
                    reader.warn(call, "k of the dspy.Retrieve on line \(line) is computed at run time; the state mkspy writes lacks it")
                    return .opaque
                }
                k = n
            }
            reader.warn(call, "dspy.Retrieve (line \(line)): DSPy 3.4.1's save() and dump_state() raise on it (Retrieve.dump_state takes no json_mode); the state mkspy-gen writes holds its {\"k\": \(k)}, which program.load() reads")
            return .parameter(FixedParameter(["k": .int(k)]))
        case "Signature":
            guard case .string(let text)? = arg(0, "signature") else {
                reader.warn(call, "the dspy.Signature on line \(line) is built from values known only at run time")
                return .opaque
            }
            var instructions: String?
            if let given = arg(1, "instructions") {
                guard case .string(let text) = given else {
                    reader.warn(call, "the instructions of the dspy.Signature on line \(line) are computed at run time")
                    return .opaque
                }
                instructions = text
            }
            switch stringSignature(text, instructions: instructions, types: reader.typeText) {
            case .success(let s): return .signature(s)
            case .failure(let problem): reader.warn(call, problem.message); return .opaque
            }
        case "Tool":
            return reader.dspyTool(call, &scope).map(Value.tool) ?? .opaque
        default:
            if unread.contains(name) {
                reader.warn(call, "dspy.\(name) (line \(line)) is not read statically: its predictors and state come from the runtime's named_predictors()")
            }
            return .opaque
        }
    }

    static func chainOfThought(_ sig: SignatureModel?, kind: String, strategy: Strategy, line: Int,
                               reasoning: Field = dspyField("reasoning")) -> Instance {
        let extended = sig?.inserting(reasoning, input: false, first: true)
        return Instance("ChainOfThought", [("predict", .predictor(Predictor(kind: kind, strategy: strategy, signature: extended, line: line)))])
    }

    static func react(_ sig: SignatureModel?, tools: [ToolModel]?, line: Int, _ reader: ProgramReader, _ call: Node) -> Instance {
        var all = [(name: String, text: String)]()
        for tool in tools ?? [] {
            if let i = all.firstIndex(where: { $0.name == tool.name }) { all[i].text = tool.text } else { all.append((tool.name, tool.text)) }
        }
        var reactSignature: SignatureModel?, fallback: SignatureModel?
        if let sig {
            let outputs = sig.outputs.map { "`\($0.name)`" }.joined(separator: ", ")
            let finish = "finish, whose description is <desc>Marks the task as complete. That is, signals that all information for producing the outputs, i.e. \(outputs), are now available to be extracted.</desc>. It takes arguments {}."
            if let i = all.firstIndex(where: { $0.name == "finish" }) { all[i].text = finish } else { all.append(("finish", finish)) }
            let trajectory = dspyField("trajectory")
            var instruction = ""
            if tools != nil {
                let inputs = sig.inputs.map { "`\($0.name)`" }.joined(separator: ", ")
                var lines = sig.instructions.isEmpty ? [] : ["\(sig.instructions)\n"]
                lines += [
                    "You are an Agent. In each episode, you will be given the fields \(inputs) as input. And you can see your past trajectory so far.",
                    "Your goal is to use one or more of the supplied tools to collect any necessary information for producing \(outputs).\n",
                    "To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each turn, and also when finishing the task.",
                    "After each tool call, you receive a resulting observation, which gets appended to your trajectory.\n",
                    "When writing next_thought, you may reason about the current situation and plan for future steps.",
                    "When selecting the next_tool_name and its next_tool_args, the tool must be one of:\n",
                ]
                lines += all.enumerated().map { "(\($0.offset + 1)) \($0.element.text)" }
                lines.append("When providing `next_tool_args`, the value inside the field must be in JSON format")
                instruction = cleandoc(lines.joined(separator: "\n"))
            } else {
                reader.warn(call, "the tools of the ReAct on line \(line) are not read statically, so its react instruction (which lists them) is left empty; mkspy-score takes it from the runtime")
            }
            let toolNames = tools == nil ? "..." : all.map { pythonRepr($0.name) }.joined(separator: ", ")
            reactSignature = SignatureModel(
                inputs: sig.inputs + [trajectory],
                outputs: [dspyField("next_thought"), dspyField("next_tool_name", type: "Literal[\(toolNames)]"),
                          dspyField("next_tool_args", type: "dict[str, Any]")],
                instructions: instruction)
            fallback = SignatureModel(inputs: sig.inputs + [trajectory], outputs: sig.outputs, instructions: sig.instructions)
        }
        return Instance("ReAct", [
            ("react", .predictor(Predictor(kind: "ReAct", strategy: .react, signature: reactSignature, line: line))),
            ("extract", .module(chainOfThought(fallback, kind: "ReAct", strategy: .react, line: line))),
        ])
    }

    static func programOfThought(_ sig: SignatureModel?, line: Int) -> Instance {
        let code = dspyField("generated_code", desc: "python code that answers the question")
        func mode(_ extraInputs: [Field], _ outputs: [Field], _ lines: (String, String) -> [String]) -> Value {
            guard let sig else { return .module(chainOfThought(nil, kind: "ProgramOfThought", strategy: .cot, line: line)) }
            let inputs = sig.inputs + extraInputs
            let names = { (fields: [Field]) in fields.map { "`\($0.name)`" }.joined(separator: ", ") }
            let instruction = lines(names(inputs), names(outputs)).joined(separator: "\n")
            let modeSignature = SignatureModel(inputs: inputs, outputs: outputs, instructions: instruction)
            return .module(chainOfThought(modeSignature, kind: "ProgramOfThought", strategy: .cot, line: line))
        }
        let finalOutputs = sig?.outputs.map { "`\($0.name)`" }.joined(separator: ", ") ?? ""
        return Instance("ProgramOfThought", [
            ("code_generate", mode([], [code]) { inputs, outputs in [
                "You will be given \(inputs) and you will respond with \(outputs).",
                "Generating executable Python code that programmatically computes the correct \(outputs).",
                "After you're done with the computation and think you have the final output, make sure to submit your output by calling the preloaded function `SUBMIT()`.",
                "You must structure your output in a dict, like {\"field_a\": value_a, ...}, with the correct value mapping for the field(s): \(finalOutputs).",
            ] }),
            ("code_regenerate", mode([dspyField("previous_code", desc: "previously-generated python code that errored"),
                                      dspyField("error", desc: "error message from previously-generated python code")], [code]) { inputs, _ in [
                "You are given \(inputs) due to an error in previous code.",
                "Your task is to correct the error and provide the new `generated_code`.",
            ] }),
            ("generate_output", mode([dspyField("final_generated_code", desc: "python code that answers the question"),
                                      dspyField("code_output", desc: "output of previously-generated python code")], sig?.outputs ?? []) { inputs, outputs in [
                "Given the final code \(inputs), provide the final \(outputs).",
            ] }),
        ])
    }

    static func multiChain(_ sig: SignatureModel, attempts: Int) -> SignatureModel {
        var s = sig
        for i in 0..<max(attempts, 0) {
            s = s.inserting(dspyField("reasoning_attempt_\(i + 1)", desc: "${reasoning attempt}", prefix: "Student Attempt #\(i + 1):"),
                            input: true, first: false)
        }
        return s.inserting(dspyField("rationale", desc: "${corrected reasoning}",
                                     prefix: "Accurate Reasoning: Thank you everyone. Let's now holistically"),
                           input: false, first: true)
    }

    /// `named_parameters()` of an instance: predictors and other parameters by DSPy name.
    static func namedParameters(_ instance: Instance, depth: Int = 0) -> [(name: String, value: Value)] {
        var seen = Set<ObjectIdentifier>()
        var found = [(name: String, value: Value)]()
        func add(_ name: String, _ value: Value) {
            switch value {
            case .predictor(let p): if seen.insert(ObjectIdentifier(p)).inserted { found.append((name, value)) }
            case .parameter(let p): if seen.insert(ObjectIdentifier(p)).inserted { found.append((name, value)) }
            case .module(let m) where depth < 32:
                for (sub, v) in namedParameters(m, depth: depth + 1) { add("\(name).\(sub)", v) }
            default: break
            }
        }
        for (name, value) in instance.attributes {
            switch value {
            case .list(let l): for (i, item) in l.items.enumerated() { add("\(name)[\(i)]", item) }
            case .dict(let d): for (key, item) in d.items { add("\(name)['\(key)']", item) }
            default: add(name, value)
            }
        }
        return found
    }
}
