import Foundation
import MkspyCore
import Testing

@testable import MkspySpec

/// What mkspy-spec reads from a program without DSPy: the record, its types, bad input,
/// and what static reading says it cannot decide.
@Suite struct ProgramReaderTests {
    @Test func recordNamesTheProgramAndItsPredictors() throws {
        let (spec, diagnostics) = try Support.read("rag")
        #expect(diagnostics.map(\.rule) == [SpecRule.metricMissing.rawValue])
        let program = try #require(spec.program)
        #expect(program.path == absolutePath(Support.program("rag")))
        #expect(program.className == "RAG")
        let bytes = try #require(readFile(Support.program("rag")))
        #expect(program.sha256 == sha256(bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        #expect(program.sha256.count == 64)
        #expect(spec.name == "rag")
        #expect(spec.description == "Retrieve passages, then answer from them.")
        #expect(spec.inputs == [Field(name: "question", type: "Any")])
        #expect(spec.outputs.map(\.name) == ["context", "answer"])
        let op = try #require(spec.operations.first)
        #expect(spec.operations.count == 1)
        #expect(op.name == "generate_answer.predict")
        #expect(op.site == PredictorSite(kind: "ChainOfThought", line: 26))
        #expect(op.strategy == .cot)
        #expect(op.instruction == "Answer questions with short factoid answers.")
        #expect(op.inputs == [Field(name: "context", type: "list[str]", desc: "may contain relevant facts", prefix: "Context:"),
                              Field(name: "question", type: "str", desc: "${question}", prefix: "Question:")])
        #expect(op.outputs.map(\.name) == ["reasoning", "answer"])

        guard case .object(let record) = spec.record(diagnostics: diagnostics) else { Issue.record("not an object"); return }
        #expect(record["operations"] == nil)
        #expect(record["predictors"]?.arrayValue?.first?["kind"] == "ChainOfThought")
        #expect(record["predictors"]?.arrayValue?.first?["line"] == 26)
        #expect(record["predictors"]?.arrayValue?.first?["tools"] == nil)
        #expect(record["program"] == ["path": .string(program.path), "class": "RAG", "sha256": .string(program.sha256)])
        #expect(record["path"] == .string(program.path))
    }

    /// A program's record is a spec like any other: validation reads it back unchanged, and
    /// a candidate that embeds it can be read.
    /// forward's parameters with a default (positional or keyword-only) may be left out of an
    /// example; the others are required (mkspy-score checks them before any LM call).
    @Test func parametersWithDefaultsAreOptionalInputs() throws {
        let (spec, _) = try Support.read("containers")
        #expect(spec.program?.optionalInputs == ["strict"])
        #expect(spec.requiredInputs == ["essay"])
        let bytes = Array("import dspy\nclass P(dspy.Module):\n    def __init__(self):\n        super().__init__()\n        self.p = dspy.Predict('a -> b')\n    def forward(self, a, b=1, *, c, d=2):\n        return self.p(a=a)\n".utf8)
        let read = readProgram(bytes, path: "/tmp/p.py").spec
        #expect(read.program?.optionalInputs == ["b", "d"])
        #expect(read.requiredInputs == ["a", "c"])
        #expect(read.program?.json["optional_inputs"] == ["b", "d"])
    }

    @Test func recordRoundTripsThroughValidation() throws {
        for (file, _) in Support.programs {
            let (spec, diagnostics) = try Support.read(file)
            guard case .object(let record) = spec.record(diagnostics: diagnostics) else { Issue.record("not an object"); continue }
            let (again, findings) = validateSpec(record)
            #expect(!findings.contains { $0.severity == .error }, "\(file): \(findings.map(\.message))")
            #expect(again.json == spec.json, "\(file)")
            #expect(again.recordJSON == spec.recordJSON, "\(file)")
            let candidate = Candidate(spec: spec, genome: Genome(seed: spec))
            guard case .object(let object) = candidate.json else { continue }
            let read = try Candidate(json: object)
            #expect(read.id == candidate.id)
            #expect(read.genome == candidate.genome)
        }
    }

    /// The spec id covers the file's bytes and the class, not where the file lives.
    @Test func idIsTheContentOfTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-program-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("moved"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = try #require(readFile(Support.program("strings")))
        let here = directory.appendingPathComponent("strings.py").path
        let there = directory.appendingPathComponent("moved/strings.py").path
        let edited = directory.appendingPathComponent("edited.py").path
        try Data(bytes).write(to: URL(fileURLWithPath: here))
        try Data(bytes).write(to: URL(fileURLWithPath: there))
        try Data(bytes + Array("# a comment changes nothing DSPy sees\n".utf8)).write(to: URL(fileURLWithPath: edited))
        let a = readProgram(bytes, path: here).spec, b = readProgram(bytes, path: there).spec
        let c = readProgram(try #require(readFile(edited)), path: edited).spec
        #expect(a.id == b.id)
        #expect(a.program?.path != b.program?.path)
        #expect(a.id != c.id)
        #expect(a.operations == c.operations)
    }

    @Test func typesAreResolvedInTheFile() throws {
        let (spec, diagnostics) = try Support.read("typed")
        #expect(diagnostics.map(\.rule) == [SpecRule.metricMissing.rawValue])
        let types = Dictionary(uniqueKeysWithValues: spec.types.map { ($0.name, $0.definition) })
        #expect(types["Label"] == .alias("Literal['positive', 'negative', 'neutral']"))
        #expect(types["Citation"] == .record([Field(name: "source", type: "str", desc: "where the claim comes from"),
                                              Field(name: "page", type: "Optional[int]")]))
        let byName = Dictionary(uniqueKeysWithValues: spec.operations.map { ($0.name, $0) })
        #expect(byName["classify"]?.outputs.map(\.type) == ["Label", "float"])
        #expect(byName["extract.predict"]?.outputs.map(\.type) == ["str", "list[str]", "list[Citation]", "Literal['true', 'false'] | None"])
        #expect(byName["more"]?.inputs.map(\.name) == ["text", "language"])
        #expect(byName["more"]?.outputs.last == Field(name: "summary", type: "Optional[str]", desc: "${summary}", prefix: "Summary of claims:"))
        // A subclass without a docstring inherits its base's __doc__: the base's default instruction.
        #expect(byName["more"]?.instruction == "Given the fields `text`, produce the fields `claims`, `citations`, `verdict`.")
        #expect(byName["read"]?.inputs.first?.desc == "a news article")
        #expect(byName["brief"]?.instruction == "Classify briefly.")
        #expect(spec.inputs == [Field(name: "sentence", type: "str"), Field(name: "text", type: "str"), Field(name: "language", type: "str")])
        #expect(spec.outputs.map(\.name) == ["sentiment", "confidence"])
    }

    @Test func nestedModulesListsAndDictsAreNamedAsDSPyNamesThem() throws {
        let (spec, _) = try Support.read("multihop")
        #expect(spec.program?.className == "MultiHop")  // Hop and Judge are its parts
        #expect(spec.operations.map(\.name) == [
            "hops[0].generate_query.predict", "hops[0].rewrite", "hops[1].generate_query.predict", "hops[1].rewrite",
            "steps['draft']", "steps['final'].predict", "first", "again", "judge.generate_query.predict", "judge.rewrite",
            "judge.verdict", "late",
        ])
        #expect(spec.operations.first { $0.name == "hops[1].rewrite" }?.instruction == "Rewrite it shorter.")
        // `first` was assigned again: it keeps its place and names the new predictor; the
        // predictor it held first is still `again`'s.
        #expect(spec.operations.first { $0.name == "first" }?.outputs.map(\.name) == ["first_answer"])
        #expect(spec.operations.first { $0.name == "again" }?.outputs.map(\.name) == ["answer"])
    }

    @Test func reactListsItsToolsInTheInstruction() throws {
        let (spec, _) = try Support.read("agent")
        #expect(spec.operations.map(\.name) == ["agent.react", "agent.extract.predict", "planner.react", "planner.extract.predict"])
        let react = try #require(spec.operations.first)
        #expect(react.site == PredictorSite(kind: "ReAct", line: 26))
        #expect(react.instruction.contains("(1) lookup_weather, whose description is <desc>Look up the weather in a city.        Returns a short report.</desc>. It takes arguments {'city': {'type': 'string'}, 'unit': {'anyOf': [{'type': 'string'}, {'type': 'null'}], 'default': 'celsius'}}."))
        #expect(react.instruction.contains("(2) add. It takes arguments {'a': {'type': 'integer'}, 'b': {'type': 'integer', 'default': 1}, 'precise': {'type': 'boolean', 'default': False}}."))
        #expect(react.instruction.contains("(3) search_notes, whose description is <desc>Search the user's notes for it's tags.</desc>. It takes arguments {'query': {}, 'tags': {'items': {'type': 'string'}, 'type': 'array', 'default': []}, 'limit': {'type': 'number', 'default': 2.5}}."))
        #expect(react.outputs.map(\.type) == ["str", "Literal['lookup_weather', 'add', 'search_notes', 'finish']", "dict[str, Any]"])
    }

    // MARK: bad input

    @Test func noModuleIsAnError() throws {
        let (spec, diagnostics) = try Support.read("no_module")
        #expect(Support.messages(diagnostics, .program) == ["\(Support.program("no_module")) has no dspy.Module subclass with a forward method"])
        #expect(spec.record(diagnostics: diagnostics)["ok"] == false)
        #expect(spec.operations.isEmpty)
    }

    @Test func twoModulesNeedModule() throws {
        let (_, diagnostics) = try Support.read("two_modules")
        let message = try #require(Support.messages(diagnostics, .program).first)
        #expect(message.contains("Summarizer, Translator") && message.contains("--module"))
        let (spec, chosen) = try Support.read("two_modules", module: "Translator")
        #expect(!chosen.contains { $0.severity == .error })
        #expect(spec.name == "translator")
        #expect(spec.operations.map(\.name) == ["translate.predict"])
        #expect(spec.inputs.map(\.name) == ["text", "language"])
        let (_, unknown) = try Support.read("two_modules", module: "Nope")
        #expect(Support.messages(unknown, .program) == ["no class Nope in \(Support.program("two_modules")); its dspy.Module classes with forward: Summarizer, Translator"])
        let (_, notModule) = try Support.read("typed", module: "Classify")
        #expect(Support.messages(notModule, .program) == ["class Classify (line 15) is not a dspy.Module subclass with a forward method"])
    }

    @Test func syntaxErrorIsAnErrorWithTheParsersMessageAndLine() throws {
        let (spec, diagnostics) = try Support.read("syntax_error")
        let error = try #require(diagnostics.first { $0.rule == SpecRule.program.rawValue })
        #expect(error.message == "syntax error: '(' was never closed")
        #expect(error.line == 7)
        #expect(spec.record(diagnostics: diagnostics)["ok"] == false)
    }

    @Test func constructorArgumentsAreAWarning() throws {
        let (spec, diagnostics) = try Support.read("needs_args")
        #expect(!diagnostics.contains { $0.severity == .error })
        let warning = try #require(diagnostics.first { $0.rule == SpecRule.programArguments.rawValue })
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("(labels, temperature)"))
        #expect(warning.message.contains("--program-arg labels=… --program-arg temperature=…"))
        #expect(warning.line == 4)
        // The default of the parameter that has one is read.
        #expect(spec.operations.first?.instruction == "Pick one label.")
    }

    /// Loops, comprehensions, conditions, other files and run-time signatures are named with
    /// their lines; the record is still written.
    @Test func whatStaticReadingCannotDecideIsAWarningWithTheLine() throws {
        let (spec, diagnostics) = try Support.read("undecidable")
        let undecided = diagnostics.filter { $0.rule == SpecRule.programUndecided.rawValue }
        #expect(undecided.allSatisfy { $0.severity == .warning })
        let expected: [(Int, String)] = [
            (11, "predictors built in a loop (line 11)"),
            (13, "predictors built in a comprehension (line 13)"),
            (14, "predictors are built under a condition (line 14); static reading assumes its first branch runs"),
            (18, "helpers.Expert (line 18) comes from another file"),
            (19, "the signature helpers.SharedSignature of the predictor on line 19 comes from another file"),
            (20, "the signature of the predictor on line 20 is computed at run time"),
            (22, "forward takes **options"),
        ]
        #expect(undecided.count == expected.count, "\(undecided.map(\.message))")
        for ((line, text), d) in zip(expected, undecided) {
            #expect(d.line == line && d.message.contains(text), "\(d.line ?? 0): \(d.message)")
        }
        #expect(spec.operations.map(\.name) == ["final.predict", "shared", "dynamic"])
        #expect(spec.operations[1].inputs.isEmpty && spec.operations[1].instruction.isEmpty)
    }

    /// A module that builds itself ends (DSPy would recurse forever): static reading stops
    /// and says so.
    @Test func selfBuildingProgramStops() {
        let source = """
            import dspy
            class Tree(dspy.Module):
                def __init__(self):
                    super().__init__()
                    self.p = dspy.Predict("a -> b")
                    self.left = Tree()
                    self.right = Tree()
                def forward(self, a):
                    return self.p(a=a)

            """
        let reading = readProgram(Array(source.utf8), path: "/tmp/tree.py")
        #expect(reading.diagnostics.contains { $0.rule == SpecRule.programUndecided.rawValue && $0.message.contains("nest too deep or too many") })
        #expect(reading.spec.operations.first?.name == "p")
    }

    /// What builds predictors out of sight is said, not dropped: a factory of a file beside
    /// the program (a module elsewhere, `json.loads`, is not), a list repeated an unknown
    /// number of times, `del` on a list; and a spec record read again keeps those warnings.
    @Test func predictorsBuiltOutOfSightAreWarnedAboutAndTheWarningsStay() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-factory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "import dspy\ndef make_answerer():\n    return dspy.ChainOfThought('question -> answer')\n"
            .write(to: directory.appendingPathComponent("factories.py"), atomically: true, encoding: .utf8)
        let source = """
            import json
            import dspy
            from factories import make_answerer

            class QA(dspy.Module):
                def __init__(self, hops):
                    super().__init__()
                    self.settings = json.loads("{}")
                    self.answer = make_answerer()
                    self.queries = [dspy.Predict("question -> query")] * hops
                    self.steps = [dspy.Predict("a -> b"), dspy.Predict("b -> c")]
                    del self.steps[0]
                def forward(self, question):
                    return self.answer(question=question)

            """
        let path = directory.appendingPathComponent("qa.py").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        let (spec, diagnostics) = SpecTool.programSpec(Array(source.utf8), path: path, className: nil, metric: nil)
        let undecided = diagnostics.filter { $0.rule == SpecRule.programUndecided.rawValue }
        #expect(undecided.map(\.line) == [9, 10, 12], "\(undecided.map(\.message))")
        #expect(undecided.first?.message.contains("factories.make_answerer (line 9) comes from another file") == true)
        #expect(spec.operations.map(\.name) == ["steps[0]", "steps[1]"])
        guard case .object(let record) = spec.record(diagnostics: diagnostics) else { Issue.record("not an object"); return }
        let (_, again) = validateSpec(record)
        #expect(again == diagnostics)
    }

    /// A program that returns a ChainOfThought's prediction outputs its fields, not the
    /// reasoning DSPy adds: that is the LM's, never a gold label an example must hold.
    @Test func aChainOfThoughtsReasoningIsNotAnOutput() {
        let source = """
            import dspy

            class QA(dspy.Module):
                def __init__(self):
                    super().__init__()
                    self.respond = dspy.ChainOfThought("question -> answer")
                def forward(self, question):
                    return self.respond(question=question)

            """
        let reading = readProgram(Array(source.utf8), path: "/tmp/qa.py")
        #expect(reading.spec.outputs.map(\.name) == ["answer"])
        #expect(reading.spec.operations.first?.outputs.map(\.name) == ["reasoning", "answer"])
    }

    /// A relative import cannot work where mkspy-score imports the program: said at once,
    /// with the line, rather than as a refusal at scoring time.
    @Test func aRelativeImportIsAWarningWithTheLine() {
        let source = """
            import dspy
            from .helpers import clean

            class QA(dspy.Module):
                def __init__(self):
                    super().__init__()
                    self.answer = dspy.Predict("question -> answer")
                def forward(self, question):
                    return self.answer(question=clean(question))

            """
        let reading = readProgram(Array(source.utf8), path: "/tmp/pkg/qa.py")
        let warnings = reading.diagnostics.filter { $0.rule == SpecRule.programUndecided.rawValue }
        #expect(warnings.count == 1 && warnings.first?.line == 2 && warnings.first?.message.contains("relative import from .helpers") == true,
                "\(reading.diagnostics.map(\.message))")
        #expect(reading.spec.operations.map(\.name) == ["answer"])
    }

    // MARK: metric

    @Test func metricFileIsReadRelativeToItsDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-metric-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("metrics"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = directory.appendingPathComponent("rag.py").path
        try Data(try #require(readFile(Support.program("rag")))).write(to: URL(fileURLWithPath: program))
        let metricJSON = directory.appendingPathComponent("metrics/metric.json").path
        try Data(#"{"kind": "python", "path": "score.py", "function": "metric"}"#.utf8).write(to: URL(fileURLWithPath: metricJSON))
        let metric = try #require(Metric.read(metricJSON).metric)
        let bytes = try #require(readFile(program))

        var (spec, diagnostics) = SpecTool.programSpec(bytes, path: program, className: nil, metric: metric)
        #expect(spec.metric?["path"] == "metrics/score.py")
        let missing = try #require(diagnostics.first { $0.rule == SpecRule.metric.rawValue })
        #expect(missing.severity == .error && missing.message.contains("metrics/score.py does not exist"))

        try Data("def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):\n    return 1.0\n".utf8)
            .write(to: directory.appendingPathComponent("metrics/score.py"))
        (spec, diagnostics) = SpecTool.programSpec(bytes, path: program, className: nil, metric: metric)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
        #expect(spec.metric?["function"] == "metric")
    }

    @Test func metricIsValidatedAsASpecsMetric() throws {
        let exact = Metric(object: ["kind": "exact", "field": "answer"], directory: "/")
        #expect(try Support.read("rag", metric: exact).diagnostics.isEmpty)
        let wrongField = Metric(object: ["kind": "exact", "field": "verdict"], directory: "/")
        #expect(Support.messages(try Support.read("rag", metric: wrongField).diagnostics, .metricField)
            == ["metric field must name a program output: context, answer"])
        let unknownKind = Metric(object: ["kind": "fuzzy"], directory: "/")
        #expect(!Support.messages(try Support.read("rag", metric: unknownKind).diagnostics, .metric).isEmpty)
        // When static reading cannot tell the outputs, the field is not checked, and it says so.
        let (spec, undecided) = try Support.read("multihop", metric: wrongField)
        #expect(spec.outputs.isEmpty)
        #expect(!undecided.contains { $0.severity == .error })
        #expect(Support.messages(undecided, .programUndecided).contains { $0.contains("the metric's field is not checked") })
    }
}
