import Testing
@testable import MkspyCore

/// A small valid spec with replaceable parts, as JSON text.
func qa(name: String = #""qa""#, types: String = "{}", inputs: String = #"{"question": "str"}"#,
        outputs: String = #"{"answer": "str"}"#,
        operations: String = #"[{"name": "respond", "signature": "question -> answer"}]"#,
        metric: String? = #"{"kind": "exact", "field": "answer"}"#, extra: String = "") -> String {
    """
    {"name": \(name), "description": "Answer a question.", "types": \(types), "inputs": \(inputs),
     "outputs": \(outputs), "operations": \(operations)\(metric.map { ", \"metric\": \($0)" } ?? "")\(extra)}
    """
}

let designExample = """
    {
      "name": "invoice_total",
      "description": "Read an invoice and report its total.",
      "types": {
        "Invoice": "str",
        "Money": "float",
        "Currency": ["USD", "EUR", "GBP"],
        "LineItem": {"sku": "str", "qty": "int", "price": "Money"},
        "Items": "list[LineItem]"
      },
      "inputs":  {"invoice": "Invoice"},
      "outputs": {"total": "Money", "currency": "Currency"},
      "operations": [
        {"name": "extract_items",
         "inputs":  {"invoice": {"type": "Invoice", "desc": "raw invoice text"}},
         "outputs": {"lines": "Items", "currency": "Currency"},
         "instruction": "List every line item on the invoice."},
        {"name": "sum_items", "strategy": "cot",
         "signature": "lines: Items -> total: Money",
         "instruction": "Add up qty times price for every item."}
      ],
      "metric": {"kind": "numeric", "field": "total", "tolerance": 0.01}
    }
    """

/// Expects exactly one diagnostic: `rule`, with the rule's severity, at `path`.
func expectOnly(_ text: String, _ rule: SpecRule, at path: String, saying fragment: String = "",
                sourceLocation: SourceLocation = #_sourceLocation) {
    let d = validate(text).diagnostics
    #expect(d.count == 1, "\(d.map { "\($0.rule) \($0.path ?? "") \($0.message)" })", sourceLocation: sourceLocation)
    guard let first = d.first else { return }
    #expect(first.rule == rule.rawValue, "\(first.message)", sourceLocation: sourceLocation)
    #expect(first.severity == rule.severity, sourceLocation: sourceLocation)
    #expect(first.path == path, "\(first.rule): \(first.message)", sourceLocation: sourceLocation)
    #expect(fragment.isEmpty || first.message.contains(fragment), "\(first.message)", sourceLocation: sourceLocation)
}

/// Expects a diagnostic of `rule` at `path` among others, and returns it.
@discardableResult
func expectSome(_ d: [Diagnostic], _ rule: SpecRule, at path: String, saying fragment: String = "",
                sourceLocation: SourceLocation = #_sourceLocation) -> Diagnostic? {
    let found = d.first { $0.rule == rule.rawValue && $0.path == path }
    #expect(found != nil, "no \(rule.rawValue) at \(path) in \(d.map { "\($0.rule) \($0.path ?? "")" })", sourceLocation: sourceLocation)
    if let found {
        #expect(found.severity == rule.severity, sourceLocation: sourceLocation)
        #expect(fragment.isEmpty || found.message.contains(fragment), "\(found.message)", sourceLocation: sourceLocation)
    }
    return found
}

@Suite("Spec validator")
struct SpecValidatorTests {
    @Test func designExampleIsValidWithoutFindings() throws {
        let (spec, d) = validate(designExample)
        #expect(d.isEmpty, "\(d.map(\.message))")
        #expect(spec.record(diagnostics: d)["ok"] == true)
        #expect(spec.name == "invoice_total")
        #expect(spec.operations.map(\.name) == ["extract_items", "sum_items"])
        #expect(spec.operations[1].strategy == .cot)
    }

    @Test func baseSpecIsValidWithoutFindings() throws {
        let d = validate(qa()).diagnostics
        #expect(d.isEmpty, "\(d.map(\.message))")
    }

    /// A program's spec record is read back as written; only its metric and shape are checked.
    @Test func programRecordIsReadBack() throws {
        let predictor: JSON = ["name": "gen.predict", "kind": "ChainOfThought", "line": 7, "strategy": "cot", "instruction": "Answer.",
                               "inputs": [["name": "question", "type": "Literal['a']", "desc": "${question}", "prefix": "Question:"]],
                               "outputs": [["name": "answer", "type": "int", "desc": "${answer}", "prefix": "Answer:"]]]
        let record: JSONObject = ["kind": "spec", "name": "qa", "description": "", "types": [:], "tools": [:],
                                  "program": ["path": "/p/qa.py", "class": "QA", "sha256": "00"],
                                  "inputs": [["name": "question", "type": "Any", "desc": ""]],
                                  "outputs": [["name": "answer", "type": "int", "desc": ""]],
                                  "predictors": [predictor], "metric": ["kind": "numeric", "field": "answer"]]
        let (spec, diagnostics) = validateSpec(record)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
        #expect(spec.program == ProgramReference(path: "/p/qa.py", className: "QA", sha256: "00"))
        #expect(spec.operations.first?.inputs.first == Field(name: "question", type: "Literal['a']", desc: "${question}", prefix: "Question:"))
        #expect(spec.json["predictors"] == .array([predictor]))
        var bad = record
        bad["predictors"] = [["name": "gen", "kind": "Predict", "line": 1, "strategy": "fast", "instruction": "x", "inputs": [], "outputs": []]]
        bad["metric"] = ["kind": "numeric", "field": "question"]
        let rules = validateSpec(bad).diagnostics.map(\.rule)
        #expect(rules == [SpecRule.strategy.rawValue, SpecRule.metricField.rawValue])
    }

    @Test func severitiesMatchTheRuleTable() throws {
        let warnings: Set<SpecRule> = [.unusedOutput, .unusedInput, .metricMissing, .unknownKey, .namingCase,
                                       .namingAbbreviation, .namingUnderscore, .namingEcho, .namingReserved,
                                       .programUndecided, .programArguments]
        for rule in SpecRule.allCases {
            #expect(rule.severity == (warnings.contains(rule) ? .warning : .error), "\(rule)")
        }
        #expect(Set(SpecRule.allCases.map(\.rawValue)).count == SpecRule.allCases.count)
    }

    // MARK: Shape

    @Test func spec001MissingName() throws {
        expectOnly(#"{"description": "x", "inputs": {"question": "str"}, "outputs": {"answer": "str"}, "operations": [{"name": "respond", "signature": "question -> answer"}], "metric": {"kind": "exact"}}"#,
                   .shape, at: ".name", saying: "missing required string")
    }

    @Test func spec001WrongTypeAndDuplicateKey() throws {
        expectOnly(qa(extra: #", "description": "again""#), .shape, at: ".description", saying: "more than once")
        expectOnly(qa().replacingOccurrences(of: #""description": "Answer a question.""#, with: #""description": 5"#),
                   .shape, at: ".description", saying: "must be a string, got a number")
    }

    @Test func spec002SpecName() throws {
        expectOnly(qa(name: #""Invoice Total""#), .specName, at: ".name", saying: "lower_snake_case")
        expectOnly(qa(name: #""class""#), .specName, at: ".name")
        expectOnly(qa(name: #""""#), .specName, at: ".name", saying: "empty")
    }

    @Test func spec003TypeName() throws {
        expectOnly(qa(types: #"{"Line-Item": "str"}"#), .typeName, at: #".types."Line-Item""#, saying: "Python identifier")
        expectOnly(qa(types: #"{"Money": "float", "Money": "int"}"#), .typeName, at: ".types.Money", saying: "more than once")
    }

    @Test func spec004ShadowingAPrimitive() throws {
        expectOnly(qa(types: #"{"str": "int"}"#), .typeShadows, at: ".types.str", saying: "shadows")
        expectOnly(qa(types: #"{"Literal": "str"}"#), .typeShadows, at: ".types.Literal")
        expectOnly(qa(types: #"{"BaseModel": {"title": "str"}}"#), .typeShadows, at: ".types.BaseModel")
    }

    @Test func spec005TypeDefinition() throws {
        expectOnly(qa(types: #"{"Mood": []}"#), .typeDefinition, at: ".types.Mood", saying: "non-empty array of strings")
        expectOnly(qa(types: #"{"Mood": ["calm", 3]}"#), .typeDefinition, at: ".types.Mood")
        expectOnly(qa(types: #"{"Mood": ["calm", "calm"]}"#), .typeDefinition, at: ".types.Mood", saying: "repeat: calm")
        expectOnly(qa(types: #"{"Mood": 3}"#), .typeDefinition, at: ".types.Mood", saying: "got a number")
        expectOnly(qa(types: #"["Mood"]"#), .typeDefinition, at: ".types", saying: "got an array")
    }

    @Test func spec006TypeSyntax() throws {
        expectOnly(qa(types: #"{"Maybe": "Optional[str]"}"#), .typeSyntax, at: ".types.Maybe", saying: "T | None")
        expectOnly(qa(types: #"{"Card": {"title": "dict[int, str]"}}"#), .typeSyntax, at: ".types.Card.title")
        expectOnly(qa(types: #"{"Card": {"title": {"type": "A | B"}}}"#), .typeSyntax, at: ".types.Card.title.type")
    }

    @Test func spec007UnresolvedReference() throws {
        expectOnly(qa(types: #"{"Items": "list[LineItem]"}"#), .typeUnresolved, at: ".types.Items",
                   saying: "type 'LineItem' is not declared")
        expectOnly(qa(types: #"{"LineItem": {"price": "float"}, "Items": "list[Lineitem]"}"#), .typeUnresolved,
                   at: ".types.Items", saying: "did you mean 'LineItem'?")
        expectOnly(qa(types: #"{"Card": {"owner": "Person | None"}}"#), .typeUnresolved, at: ".types.Card.owner")
        let d = validate(qa(inputs: #"{"question": "Question"}"#,
                            operations: #"[{"name": "respond", "signature": "question: Question -> answer"}]"#)).diagnostics
        #expect(d.ruleSet == ["SPEC007"])
        expectSome(d, .typeUnresolved, at: ".inputs.question", saying: "declare it under \"types\"")
        expectSome(d, .typeUnresolved, at: ".operations[0].inputs.question")
    }

    @Test func spec008TypeCycles() throws {
        expectOnly(qa(types: #"{"A": "list[B]", "B": {"parent": "A | None"}}"#), .typeCycle, at: ".types.A",
                   saying: "A -> B -> A")
        expectOnly(qa(types: #"{"Node": {"title": "str", "children": "list[Node]"}}"#), .typeCycle, at: ".types.Node",
                   saying: "Node -> Node")
        expectOnly(qa(types: #"{"Loop": "Loop | None"}"#), .typeCycle, at: ".types.Loop")
        expectOnly(qa(types: #"{"Top": "list[A]", "A": "dict[str, B]", "B": "C", "C": {"back": "A"}}"#),
                   .typeCycle, at: ".types.A", saying: "A -> B -> C -> A")
    }

    @Test func eachCycleIsReportedOnceAndTypesThatOnlyReachOneAreNot() throws {
        let types = #"{"D": "list[A]", "A": "B", "B": "A | None", "C": "list[C]", "E": {"next": "F"}, "F": "G", "G": "dict[str, E]", "H": "F"}"#
        let cycles = validate(qa(types: types)).diagnostics.filter { $0.rule == SpecRule.typeCycle.rawValue }
        #expect(cycles.map(\.path) == [".types.A", ".types.C", ".types.E"])
        #expect(cycles.map { $0.message.components(separatedBy: "cycle: ").last!.components(separatedBy: ";").first! }
                == ["A -> B -> A", "C -> C", "E -> F -> G -> E"])
    }

    @Test func longAliasChainsResolveAndLongCyclesAreFound() throws {
        var chain = [#""T0": "str""#]
        for i in 1..<3000 { chain.append("\"T\(i)\": \"T\(i - 1)\"") }
        let ok = validate(qa(types: "{" + chain.joined(separator: ", ") + "}", inputs: #"{"question": "T2999"}"#,
                             operations: #"[{"name": "respond", "signature": "question: T2999 -> answer"}]"#))
        #expect(ok.diagnostics.isEmpty, "\(ok.diagnostics.map(\.message))")
        #expect(ok.spec.definition(of: "T2999") == .alias("T2998"))
        chain[0] = #""T0": "T2999""#
        let looped = validate(qa(types: "{" + chain.joined(separator: ", ") + "}")).diagnostics
        let cycle = try #require(looped.first { $0.rule == SpecRule.typeCycle.rawValue })
        #expect(cycle.path == ".types.T0")
        #expect(cycle.message.contains("T0 -> T2999 -> T2998"))
        #expect(looped.filter { $0.rule == SpecRule.typeCycle.rawValue }.count == 1)
    }

    @Test func acyclicSharedReferencesAreFine() throws {
        let d = validate(qa(types: #"{"Leaf": "str", "Left": "list[Leaf]", "Right": "dict[str, Leaf]", "Both": {"left": "Left", "right": "Right"}}"#)).diagnostics
        #expect(d.isEmpty, "\(d.map(\.message))")
    }

    @Test func spec009FieldShape() throws {
        expectOnly(qa(inputs: #"{"question": "str", "question": "str"}"#), .fieldShape, at: ".inputs.question",
                   saying: "declared twice")
        let d = validate(qa(inputs: #"{"question": 5}"#)).diagnostics
        expectSome(d, .fieldShape, at: ".inputs.question", saying: "got a number")
        expectSome(d, .fieldShape, at: ".inputs", saying: "program inputs are missing")
        let list = validate(qa(outputs: #"["answer"]"#)).diagnostics
        expectSome(list, .fieldShape, at: ".outputs[0]", saying: "list form")
        expectSome(list, .fieldShape, at: ".outputs", saying: "program outputs are missing")
    }

    @Test func duplicateFieldInASignatureIsAnError() throws {
        // The object form reports a repeated field (SPEC009); the signature form must too.
        for signature in ["question, question -> answer", "question -> answer, answer"] {
            let d = validate(qa(operations: #"[{"name": "respond", "signature": "\#(signature)"}]"#)).diagnostics
            #expect(d.errors.contains { $0.path?.hasPrefix(".operations[0]") == true }, "\(signature): \(d.map(\.message))")
        }
        let list = validate(qa(inputs: #"[{"name": "question", "type": "str"}, {"name": "question", "type": "str"}]"#)).diagnostics
        expectSome(list, .fieldShape, at: ".inputs", saying: "declared twice")
    }

    @Test func fieldsInListFormAreAccepted() throws {
        let d = validate(qa(inputs: #"[{"name": "question", "type": "str", "desc": "what the user asks"}]"#)).diagnostics
        #expect(d.isEmpty, "\(d.map(\.message))")
    }

    @Test func spec010FieldName() throws {
        expectOnly(qa(types: #"{"Card": {"class": "str"}}"#), .fieldName, at: #".types.Card."class""#, saying: "Python identifier")
        let d = validate(qa(inputs: #"{"class": "str"}"#, operations: #"[{"name": "respond", "signature": "class -> answer"}]"#)).diagnostics
        #expect(d.ruleSet == ["SPEC010"], "\(d.map(\.message))")
        // jq paths quote keys that are Python keywords.
        expectSome(d, .fieldName, at: #".inputs."class""#)
        expectSome(d, .fieldName, at: ".operations[0].signature", saying: "'class'")
    }

    @Test func spec011OperationShape() throws {
        expectOnly(qa(outputs: #"{"answer": "str", "summary": "str"}"#,
                      operations: #"[{"name": "respond", "signature": "question -> answer"}, {"name": "respond", "signature": "question -> summary"}]"#),
                   .operationShape, at: ".operations[1].name", saying: "used twice")
        expectOnly(qa(operations: #"[{"name": "Respond", "signature": "question -> answer"}]"#),
                   .operationShape, at: ".operations[0].name", saying: "lower_snake_case")
        let empty = validate(qa(operations: "[]")).diagnostics
        expectSome(empty, .operationShape, at: ".operations", saying: "non-empty array")
        expectSome(empty, .outputNotProduced, at: ".outputs.answer")
        let notObject = validate(qa(operations: #"["respond"]"#)).diagnostics
        expectSome(notObject, .operationShape, at: ".operations[0]", saying: "got a string")
    }

    @Test func spec012SignatureForm() throws {
        expectOnly(qa(operations: #"[{"name": "respond", "signature": "question -> answer", "inputs": {"question": "str"}}]"#),
                   .signatureForm, at: ".operations[0]", saying: "both")
        let d = validate(qa(operations: #"[{"name": "respond"}]"#)).diagnostics
        expectSome(d, .signatureForm, at: ".operations[0]", saying: "declares no fields")
        #expect(d.errors.ruleSet == ["SPEC012", "SPEC018"])
    }

    @Test func spec013SignatureSyntax() throws {
        let d = validate(qa(operations: #"[{"name": "respond", "signature": "question answer"}]"#)).diagnostics
        expectSome(d, .signatureSyntax, at: ".operations[0].signature", saying: "exactly one '->'")
        #expect(d.errors.ruleSet == ["SPEC013", "SPEC018"])
        let typed = validate(qa(operations: #"[{"name": "respond", "signature": "question: Optional[str] -> answer"}]"#)).diagnostics
        expectSome(typed, .signatureSyntax, at: ".operations[0].signature", saying: "T | None")
    }

    @Test func spec014Strategy() throws {
        expectOnly(qa(operations: #"[{"name": "respond", "strategy": "think", "signature": "question -> answer"}]"#),
                   .strategy, at: ".operations[0].strategy", saying: "use predict, cot or react")
        for s in ["predict", "cot"] {
            #expect(validate(qa(operations: #"[{"name": "respond", "strategy": "\#(s)", "signature": "question -> answer"}]"#)).diagnostics.isEmpty)
        }
    }

    static let searchTool = #", "tools": {"search": {"module": "mytools", "doc": "Search the web."}}"#

    @Test func spec015Tools() throws {
        expectOnly(qa(operations: #"[{"name": "respond", "strategy": "react", "signature": "question -> answer"}]"#),
                   .tools, at: ".operations[0]", saying: "lists no tools")
        expectOnly(qa(operations: #"[{"name": "respond", "strategy": "react", "tools": ["search"], "signature": "question -> answer"}]"#),
                   .tools, at: ".operations[0].tools", saying: "tool 'search' is not declared")
        expectOnly(qa(operations: #"[{"name": "respond", "tools": ["search"], "signature": "question -> answer"}]"#, extra: Self.searchTool),
                   .tools, at: ".operations[0].tools", saying: "only strategy react")
        expectSome(validate(qa(operations: #"[{"name": "respond", "strategy": "react", "tools": "search", "signature": "question -> answer"}]"#, extra: Self.searchTool)).diagnostics,
                   .tools, at: ".operations[0].tools", saying: "array of tool names")
        expectOnly(qa(operations: #"[{"name": "respond", "strategy": "react", "tools": ["search"], "signature": "question -> answer"}]"#,
                      extra: #", "tools": {"search": {"module": "my-tools", "doc": "x"}}"#),
                   .tools, at: ".tools.search.module", saying: "dotted Python module name")
        // `from __future__ import …` after `import dspy` does not compile.
        expectOnly(qa(operations: #"[{"name": "respond", "strategy": "react", "tools": ["search"], "signature": "question -> answer"}]"#,
                      extra: #", "tools": {"search": {"module": "__future__", "doc": "x"}}"#),
                   .tools, at: ".tools.search.module", saying: "compiler directives")
        expectOnly(qa(extra: #", "tools": ["search"]"#), .tools, at: ".tools")
        let valid = validate(qa(operations: #"[{"name": "respond", "strategy": "react", "tools": ["search"], "signature": "question -> answer"}]"#,
                                extra: Self.searchTool))
        #expect(valid.diagnostics.isEmpty, "\(valid.diagnostics.map(\.message))")
        #expect(valid.spec.tools == [Tool(name: "search", module: "mytools", doc: "Search the web.")])
        #expect(valid.spec.operations[0].tools == ["search"])
    }

    // MARK: Alignment

    @Test func spec016UnboundInput() throws {
        let d = validate(qa(operations: #"[{"name": "respond", "signature": "query -> answer"}]"#)).diagnostics
        #expect(d.errors.count == 1)
        expectSome(d, .unboundInput, at: ".operations[0].inputs.query", saying: "add it to the program inputs or produce it earlier")
        expectSome(d, .unusedInput, at: ".inputs.question")
    }

    @Test func spec016InputBoundLaterSaysMove() throws {
        let d = validate(qa(operations: #"[{"name": "respond", "signature": "notes -> answer"}, {"name": "take_notes", "signature": "question -> notes"}]"#)).diagnostics
        #expect(d.errors.rules == ["SPEC016"])
        expectSome(d, .unboundInput, at: ".operations[0].inputs.notes",
                   saying: "'take_notes' produces it later, so move 'respond' after it")
    }

    @Test func spec017TypeMismatch() throws {
        expectOnly(qa(operations: #"[{"name": "respond", "signature": "question: int -> answer"}]"#),
                   .typeMismatch, at: ".operations[0].inputs.question", saying: "has type int but the program input as str")
        expectOnly(qa(types: #"{"Question": "str"}"#, inputs: #"{"question": "Question"}"#),
                   .typeMismatch, at: ".operations[0].inputs.question", saying: "types must match exactly")
        expectOnly(qa(outputs: #"{"answer": "str | None"}"#),
                   .typeMismatch, at: ".outputs.answer", saying: "operation 'respond' produces str")
        expectOnly(qa(outputs: #"{"answer": "str", "score": "int"}"#,
                      operations: #"[{"name": "respond", "signature": "question -> draft: str"}, {"name": "grade", "signature": "draft: list[str] -> answer, score: int"}]"#),
                   .typeMismatch, at: ".operations[1].inputs.draft", saying: "operation 'respond' produces it as str")
    }

    @Test func spec018OutputNeverProduced() throws {
        expectOnly(qa(outputs: #"{"answer": "str", "summary": "str"}"#), .outputNotProduced, at: ".outputs.summary",
                   saying: "not produced by any operation")
        // A program input is not an operation's product.
        let d = validate(qa(outputs: #"{"answer": "str", "question": "str"}"#)).diagnostics
        expectSome(d, .outputNotProduced, at: ".outputs.question")
        #expect(d.errors.count == 1)
    }

    @Test func spec019Rebinding() throws {
        expectOnly(qa(operations: #"[{"name": "respond", "signature": "question -> answer"}, {"name": "refine", "signature": "answer -> answer"}]"#),
                   .rebound, at: ".operations[1].outputs.answer", saying: "already bound by operation 'respond'")
        let d = validate(qa(operations: #"[{"name": "respond", "signature": "question -> answer, question"}]"#)).diagnostics
        expectSome(d, .rebound, at: ".operations[0].outputs.question", saying: "the program inputs")
    }

    @Test func spec020UnusedOutput() throws {
        expectOnly(qa(operations: #"[{"name": "respond", "signature": "question -> answer, confidence: float"}]"#),
                   .unusedOutput, at: ".operations[0].outputs.confidence", saying: "never used")
    }

    @Test func spec021UnusedInput() throws {
        expectOnly(qa(inputs: #"{"question": "str", "context": "str"}"#), .unusedInput, at: ".inputs.context",
                   saying: "never used")
    }

    // MARK: Metric

    @Test(arguments: [
        #"{"kind": "exact", "field": "answer"}"#, #"{"kind": "exact"}"#, #"{"kind": "f1", "field": "answer"}"#,
        #"{"kind": "contains"}"#, #"{"kind": "json", "field": "answer"}"#,
        #"{"kind": "judge", "rubric": "Correct and brief."}"#,
        #"{"kind": "python", "path": "metric.py", "function": "metric"}"#,
    ])
    func validMetrics(_ metric: String) throws {
        let d = validate(qa(metric: metric)).diagnostics
        #expect(d.isEmpty, "\(metric): \(d.map(\.message))")
    }

    @Test func numericMetricOnNumbers() throws {
        for type in ["float", "int", "Money", "Money | None", "Count", "float | None"] {
            let d = validate(qa(types: #"{"Money": "float", "Count": "Amount", "Amount": "int"}"#, outputs: #"{"answer": "\#(type)"}"#,
                                operations: #"[{"name": "respond", "signature": "question -> answer: \#(type)"}]"#,
                                metric: #"{"kind": "numeric", "field": "answer", "tolerance": 0}"#)).diagnostics
            #expect(d.isEmpty, "\(type): \(d.map(\.message))")
        }
    }

    @Test func spec022MetricPerKind() throws {
        expectOnly(qa(metric: #"{"kind": "fuzzy"}"#), .metric, at: ".metric.kind", saying: "contains, exact, f1, json, judge, numeric, python")
        expectOnly(qa(metric: #"{"field": "answer"}"#), .metric, at: ".metric.kind")
        expectOnly(qa(metric: #""exact""#), .metric, at: ".metric", saying: "got a string")
        let numeric = #"{"answer": "float"}"#
        let numericOp = #"[{"name": "respond", "signature": "question -> answer: float"}]"#
        expectOnly(qa(outputs: numeric, operations: numericOp, metric: #"{"kind": "numeric", "field": "answer", "tolerance": -1}"#),
                   .metric, at: ".metric.tolerance", saying: "≥ 0")
        expectOnly(qa(outputs: numeric, operations: numericOp, metric: #"{"kind": "numeric", "field": "answer", "tolerance": "small"}"#),
                   .metric, at: ".metric.tolerance")
        expectOnly(qa(metric: #"{"kind": "judge"}"#), .metric, at: ".metric.rubric", saying: "rubric")
        expectOnly(qa(metric: #"{"kind": "judge", "rubric": ""}"#), .metric, at: ".metric.rubric")
        expectOnly(qa(metric: #"{"kind": "python", "function": "metric"}"#), .metric, at: ".metric.path", saying: ".py")
        expectOnly(qa(metric: #"{"kind": "python", "path": "metric.txt", "function": "metric"}"#), .metric, at: ".metric.path")
        expectOnly(qa(metric: #"{"kind": "python", "path": "metric.py", "function": "2bad"}"#), .metric, at: ".metric.function")
        expectOnly(qa(metric: #"{"kind": "python", "path": "metric.py"}"#), .metric, at: ".metric.function")
    }

    @Test func spec023MetricField() throws {
        expectOnly(qa(metric: #"{"kind": "exact", "field": "result"}"#), .metricField, at: ".metric.field", saying: "answer")
        expectOnly(qa(metric: #"{"kind": "numeric", "field": "answer"}"#), .metricField, at: ".metric.field",
                   saying: "has type str, which is not int or float")
        expectOnly(qa(outputs: #"{"answer": "str", "summary": "str"}"#,
                      operations: #"[{"name": "respond", "signature": "question -> answer, summary"}]"#,
                      metric: #"{"kind": "numeric"}"#), .metricField, at: ".metric", saying: "needs \"field\"")
        expectOnly(qa(types: #"{"Tags": "list[float]"}"#, outputs: #"{"answer": "Tags"}"#,
                      operations: #"[{"name": "respond", "signature": "question -> answer: Tags"}]"#,
                      metric: #"{"kind": "numeric", "field": "answer"}"#), .metricField, at: ".metric.field")
    }

    @Test func spec024MetricMissing() throws {
        expectOnly(qa(metric: nil), .metricMissing, at: ".metric", saying: #""field": "answer""#)
    }

    @Test func spec025UnknownKeys() throws {
        expectOnly(qa(extra: #", "version": 2"#), .unknownKey, at: ".version", saying: "known keys here")
        expectOnly(qa(operations: #"[{"name": "respond", "signature": "question -> answer", "temperature": 0.5}]"#),
                   .unknownKey, at: ".operations[0].temperature")
        expectOnly(qa(inputs: #"{"question": {"type": "str", "description": "what is asked"}}"#),
                   .unknownKey, at: ".inputs.question.description", saying: "desc")
        expectOnly(qa(metric: #"{"kind": "exact", "field": "answer", "tolerance": 0.1}"#), .unknownKey, at: ".metric.tolerance")
        expectOnly(qa(operations: #"[{"name": "respond", "strategy": "react", "tools": ["search"], "signature": "question -> answer"}]"#,
                      extra: #", "tools": {"search": {"module": "mytools", "doc": "x", "async": true}}"#),
                   .unknownKey, at: #".tools.search."async""#)
        expectOnly(qa(extra: #", "ok": true"#), .unknownKey, at: ".ok")
    }

    @Test func spec026NameClashes() throws {
        expectOnly(qa(types: #"{"Note": {"signature": "str"}}"#), .nameClash, at: ".types.Note.signature", saying: "DSPy")
        expectOnly(qa(types: #"{"Note": {"model_name": "str"}}"#), .nameClash, at: ".types.Note.model_name", saying: "pydantic")
        expectOnly(qa(types: #"{"Lookup": "str"}"#,
                      operations: #"[{"name": "respond", "strategy": "react", "tools": ["Lookup"], "signature": "question -> answer"}]"#,
                      extra: #", "tools": {"Lookup": {"module": "mytools", "doc": "x"}}"#),
                   .nameClash, at: ".tools.Lookup", saying: "same Python name as type 'Lookup'")
    }

    /// The generated classes give way to the user's names, so these are not clashes.
    @Test func generatedClassNamesNeverClash() throws {
        for types in [#"{"Qa": "str"}"#, #"{"Respond": ["yes", "no"]}"#, #"{"Qa": {"text": "str"}, "QaProgram": "str"}"#] {
            let d = validate(qa(types: types)).diagnostics
            #expect(!d.contains { $0.rule == SpecRule.nameClash.rawValue }, "\(types): \(d.map(\.message))")
        }
    }

    // MARK: Naming lint

    /// A spec whose one program input is `name` (consumed by the operation).
    func inputNamed(_ name: String) -> String {
        qa(inputs: #"{"\#(name)": "str"}"#, operations: #"[{"name": "respond", "signature": "\#(name) -> answer"}]"#)
    }

    /// A spec whose one program output is `name`.
    func outputNamed(_ name: String, type: String = "str") -> String {
        qa(outputs: #"{"\#(name)": "\#(type)"}"#, operations: #"[{"name": "respond", "signature": "question -> \#(name): \#(type)"}]"#,
           metric: #"{"kind": "exact", "field": "\#(name)"}"#)
    }

    @Test func spec030Uppercase() throws {
        expectOnly(inputNamed("Question"), .namingCase, at: ".inputs.Question", saying: "lower_snake_case")
        expectOnly(inputNamed("userQuestion"), .namingCase, at: ".inputs.userQuestion")
    }

    @Test(arguments: ["val", "txt", "num", "res", "data", "tmp", "question_txt", "raw_data", "ctx", "msg"])
    func spec031Abbreviations(_ name: String) throws {
        expectOnly(inputNamed(name), .namingAbbreviation, at: ".inputs.\(name)", saying: "abbreviation")
    }

    @Test func spec032NeedlessUnderscores() throws {
        expectOnly(inputNamed("user_name"), .namingUnderscore, at: ".inputs.user_name", saying: "write 'username' as one word")
        expectOnly(inputNamed("key_word"), .namingUnderscore, at: ".inputs.key_word", saying: "'keyword'")
        expectOnly(outputNamed("the_answer"), .namingUnderscore, at: ".outputs.the_answer", saying: "filler word 'the'")
        expectOnly(inputNamed("question__text"), .namingUnderscore, at: ".inputs.question__text", saying: "stray underscores")
        expectOnly(inputNamed("question_"), .namingUnderscore, at: ".inputs.question_")
    }

    @Test func spec033OutputNamedLikeItsInput() throws {
        expectOnly(outputNamed("question_new"), .namingEcho, at: ".operations[0].outputs.question_new",
                   saying: "named like its input 'question'")
        let d = validate(outputNamed("question_out")).diagnostics
        expectSome(d, .namingEcho, at: ".operations[0].outputs.question_out")
        let inner = validate(qa(operations: #"[{"name": "respond", "signature": "question -> question2"}, {"name": "finish", "signature": "question2 -> answer"}]"#)).diagnostics
        #expect(inner.rules == ["SPEC033"])
        expectSome(inner, .namingEcho, at: ".operations[0].outputs.question2")
    }

    @Test(arguments: ["items", "keys", "values", "get", "copy", "labels", "completions", "toDict"])
    func spec034PredictionAttributes(_ name: String) throws {
        let d = validate(outputNamed(name, type: "list[str]")).diagnostics
        expectSome(d, .namingReserved, at: ".outputs.\(name)", saying: "pred.\(name) is the method, not the field")
        #expect(d.errors.isEmpty)
    }

    @Test func recordFieldsMayUsePredictionAttributeNames() throws {
        let d = validate(qa(types: #"{"Order": {"items": "list[str]", "total": "float"}}"#)).diagnostics
        #expect(d.isEmpty, "\(d.map(\.message))")
        let lint = validate(qa(types: #"{"Order": {"txt": "str"}}"#)).diagnostics
        expectSome(lint, .namingAbbreviation, at: ".types.Order.txt")
    }

    @Test func lintNamesAreFine() throws {
        for name in ["question", "customer_review", "passages", "shipping_address", "invoice"] {
            #expect(NamingLint.check(name).isEmpty, "\(name): \(NamingLint.check(name).map(\.1))")
        }
    }

    // MARK: Everything at once

    @Test func allProblemsAreReportedAtOnce() throws {
        let text = """
            {"name": "Bad Name", "version": 1, "types": {"str": "int", "Items": "list[Thing]"},
             "inputs": {"question": "str"}, "outputs": {"answer": "str", "summary": "str"},
             "operations": [{"name": "respond", "strategy": "think", "signature": "query -> answer"}],
             "metric": {"kind": "fuzzy"}}
            """
        let d = validate(text).diagnostics
        for rule in ["SPEC002", "SPEC025", "SPEC004", "SPEC007", "SPEC014", "SPEC016", "SPEC018", "SPEC022", "SPEC021"] {
            #expect(d.rules.contains(rule), "\(rule) missing from \(d.rules)")
        }
        #expect(d.count >= 9)
        #expect(validate(text).spec.record(diagnostics: d)["ok"] == false)
    }
}
