import MkspyCheck
import MkspyCore
import Testing

/// Conformance violations injected into generated candidates: each is caught with its rule
/// on its line.
@Suite struct ConformanceInjection {
    static let rules: Set<CheckRule> = [.missingSignature, .fieldNames, .fieldType, .forwardParameters, .outputsNotReturned, .strategy]

    /// A rewrite of a candidate's source that violates `rule`; it returns the new source and
    /// the line the finding must be on, or nil when it does not apply to this candidate.
    struct Mutation: CustomTestStringConvertible, Sendable {
        let rule: CheckRule
        let name: String
        let apply: @Sendable (String, Candidate) -> (String, Int)?
        var testDescription: String { "\(rule.rawValue) \(name)" }
    }

    /// The last operation's signature class name, as mkspy-gen names it.
    static func lastClass(_ c: Candidate) -> (Operation, String) {
        let op = c.spec.operations.last!
        return (op, GeneratedNames.classes(c.spec).signatures[op.name]!)
    }

    static let mutations: [Mutation] = [
        Mutation(rule: .missingSignature, name: "signature renamed, attribute renamed, an output renamed") { source, c in
            let (op, cls) = lastClass(c)
            guard let out = op.outputs.first else { return nil }
            var s = source.replacingWord(cls, with: "Renamed").replacing("self.\(op.name) ", with: "self.renamed_step ")
                .replacing("self.\(op.name).", with: "self.renamed_step.").replacing("self.\(op.name)(", with: "self.renamed_step(")
            guard let classLine = lineOf("class Renamed(", in: s) else { return nil }
            var lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let i = lines.indices.first(where: { $0 >= classLine && lines[$0].hasPrefix("    \(out.name): ") }) else { return nil }
            lines[i] = lines[i].replacing("    \(out.name): ", with: "    other_\(out.name): ")
            s = lines.joined(separator: "\n")
            return lineOf("(dspy.Module):", in: s).map { (s, $0) }
        },
        Mutation(rule: .fieldNames, name: "an input field renamed") { source, c in
            let (op, cls) = lastClass(c)
            guard let input = op.inputs.first, let classLine = lineOf("class \(cls)(dspy.Signature)", in: source) else { return nil }
            var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let i = lines.indices.first(where: { $0 >= classLine && lines[$0].hasPrefix("    \(input.name): ") }) else { return nil }
            lines[i] = lines[i].replacing("    \(input.name): ", with: "    renamed_\(input.name): ")
            return (lines.joined(separator: "\n"), classLine)
        },
        Mutation(rule: .fieldNames, name: "an output field added") { source, c in
            let (_, cls) = lastClass(c)
            guard let classLine = lineOf("class \(cls)(dspy.Signature)", in: source) else { return nil }
            var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.insert("    confidence: float = dspy.OutputField()", at: classLine + 1)
            return (lines.joined(separator: "\n"), classLine)
        },
        Mutation(rule: .fieldType, name: "an output's type changed") { source, c in
            let (op, cls) = lastClass(c)
            guard let out = op.outputs.first, let classLine = lineOf("class \(cls)(dspy.Signature)", in: source) else { return nil }
            var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let i = lines.indices.first(where: { $0 >= classLine && lines[$0].hasPrefix("    \(out.name): ") }) else { return nil }
            lines[i] = "    \(out.name): bytes = dspy.OutputField()"
            return (lines.joined(separator: "\n"), i + 1)
        },
        Mutation(rule: .forwardParameters, name: "an extra parameter") { source, _ in
            let s = source.replacing("def forward(self, ", with: "def forward(self, extra_input, ")
            return lineOf("def forward(self, extra_input", in: s).map { (s, $0) }
        },
        Mutation(rule: .outputsNotReturned, name: "outputs dropped from the Prediction") { source, _ in
            let s = source.replacing("return dspy.Prediction(", with: "return dspy.Prediction(unrelated=None)  # ")
            return lineOf("return dspy.Prediction(unrelated", in: s).map { (s, $0) }
        },
        Mutation(rule: .strategy, name: "another predictor class") { source, c in
            let (op, cls) = lastClass(c)
            let strategy = c.genome.modules[op.name]!.strategy
            let from = ["predict": "dspy.Predict(", "cot": "dspy.ChainOfThought(", "react": "dspy.ReAct("][strategy.rawValue]!
            let to = strategy == .predict ? "dspy.ChainOfThought(" : "dspy.Predict("
            guard strategy != .react || !op.tools.isEmpty else { return nil }
            let s = source.replacing(from + cls, with: to + cls)
            return lineOf(to + cls, in: s).map { (s, $0) }
        },
    ]

    @Test(arguments: mutations)
    func violationIsCaught(_ mutation: Mutation) throws {
        try #require(tool("mkspy-gen") != nil, "mkspy-gen is not built beside the tests (\(productsDir))")
        var cases = 0
        for options in ["--strategies predict,cot,react", "--strategies predict,cot --async --stream"] {
            for object in try generatedCandidates(options) {
                let candidate = try Candidate(json: object)
                let source = try #require(candidate.source)
                #expect(check(source, .candidate, candidate: candidate).isEmpty)
                guard let (mutated, line) = mutation.apply(source, candidate) else { continue }
                cases += 1
                let found = check(mutated, .candidate, candidate: candidate)
                #expect(found.contains { $0.rule == mutation.rule.rawValue && $0.line == line && $0.severity == .error },
                        "\(candidate.spec.name): expected \(mutation.rule.rawValue) on line \(line), got \(found.map { "\($0.rule)@\($0.line ?? 0) \($0.message)" })")
            }
        }
        #expect(cases >= 6, "the mutation applied to too few candidates")
    }
}
