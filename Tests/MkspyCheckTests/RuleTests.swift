import Foundation
import MkspyCheck
import MkspyCore
import PythonSyntax
import Testing

/// Single rules on small programs: what they accept as well as what they reject.
@Suite struct RuleTests {
    static func rules(_ source: String, _ mode: CheckMode = .file(strict: true)) -> [String] {
        check(source, mode).map(\.rule)
    }

    static let validSignatures = [
        "question -> answer",
        "question, context -> answer: str",
        "context: list[str], question: str -> answer: str",
        "document -> summary, keywords: list[str]",
        "ticket -> priority: Literal['low', 'high']",
        "text -> count: Optional[int]",
        "text -> counts: dict[str, int]",
        "text -> pairs: list[tuple[str, int]]",
        "query -> result: typing.Optional[str]",
        "image: dspy.Image -> caption",
        "-> joke",
        "a: int | None -> b: list[dict[str, float]]",
        "question,\\n    context: list[str]\\n    -> answer",
    ]
    static let malformedSignatures = [
        "question answer", "question -> ", "question -> answer -> more", "my question -> answer",
        "question: -> answer", "question -> answer: list[", "q, , r -> s", "question -> class",
        "question -> question", "text: str -> summary, text",
    ]

    @Test(arguments: validSignatures)
    func validStringSignatureIsAccepted(_ signature: String) {
        let found = check("import dspy\nfrom typing import Literal, Optional\nimport typing\np = dspy.Predict(\"\(signature)\")\n")
        #expect(!found.contains { $0.rule == "DSPY007" }, "\(found)")
    }

    @Test(arguments: malformedSignatures)
    func malformedStringSignatureIsAnError(_ signature: String) {
        let found = check("import dspy\np = dspy.ChainOfThought(\"\(signature)\")\n", .file(strict: false))
        #expect(found.contains { $0.rule == "DSPY007" && $0.severity == .error && $0.line == 2 && $0.col == 24 }, "\(found)")
    }

    /// Lines are 1-based: an empty file's finding is on line 1, not 0.
    @Test func anEmptyFilesFindingIsOnLineOne() {
        let found = check("")
        #expect(found.contains { $0.rule == "DSPY001" } && found.allSatisfy { ($0.line ?? 0) >= 1 && ($0.endLine ?? 0) >= 1 }, "\(found)")
    }

    @Test func aliasesOfDSPyAreFollowed() {
        let aliased = """
            import dspy as d
            from dspy import Module, Signature, InputField, OutputField, Predict

            class QA(Signature):
                \"\"\"Answer.\"\"\"
                question: str = InputField()
                answer: str = OutputField()

            class Program(Module):
                def __init__(self):
                    super().__init__()
                    self.qa = Predict(QA)
                    self.cot = d.ChainOfThought("question -> answer")

                def forward(self, question):
                    return self.qa(question=question)
            """
        #expect(Self.rules(aliased, .candidate).isEmpty)
        #expect(Self.rules("import dspy.teleprompt\n", .candidate) == ["DSPY002"])
        #expect(Self.rules("from dspy.teleprompt import MIPROv2\n", .candidate) == ["DSPY002"])
    }

    static let returningForwards = [
        "if q:\n    return 1\nelse:\n    return 2",
        "try:\n    return 1\nexcept ValueError:\n    raise\nfinally:\n    print(q)",
        "try:\n    x = 1\nexcept ValueError:\n    return 0\nelse:\n    return x",
        "try:\n    print(q)\nfinally:\n    return 3",
        "match q:\n    case 1:\n        return 1\n    case _:\n        return 2",
        "match q:\n    case 1:\n        return 1\n    case other:\n        raise ValueError(other)",
        "with open('a') as f:\n    return f.read()",
        "while True:\n    q += 1\n    if q > 3:\n        return q",
        "for x in q:\n    pass\nelse:\n    return 1",
        "raise NotImplementedError",
        "for x in q:\n    for y in x:\n        break\nreturn 1",
        "yield q",
    ]
    static let fallingForwards = [
        "print(q)",
        "if q:\n    return 1",
        "if q:\n    return 1\nelif q > 1:\n    return 2",
        "try:\n    return 1\nexcept ValueError:\n    pass",
        "for x in q:\n    return x",
        "while q:\n    return q",
        "while True:\n    if q:\n        break\n    return 1",
        "match q:\n    case 1:\n        return 1",
        "match q:\n    case _ if q:\n        return 1",
        "for x in q:\n    break\nelse:\n    return 1",
        "return",
    ]

    static func module(forward body: String) -> String {
        let indented = body.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n")
        return "import dspy\n\nclass P(dspy.Module):\n    def forward(self, q):\n\(indented)\n"
    }

    @Test(arguments: returningForwards)
    func forwardThatAlwaysReturns(_ body: String) {
        #expect(!Self.rules(Self.module(forward: body)).contains("DSPY004"), "\(body)")
    }

    @Test(arguments: fallingForwards)
    func forwardThatCanFallThrough(_ body: String) {
        #expect(Self.rules(Self.module(forward: body)).contains("DSPY004"), "\(body)")
    }

    @Test func severities() {
        let source = "import dspy\nimport os\nos.system('ls')\np = dspy.Predict(Missing)\nq = dspy.Predict('txt -> answer')\n"
        let plain = check(source, .file(strict: false))
        #expect(plain.map { "\($0.rule):\($0.severity)" } == ["SEC003:warning", "DSPY008:error", "NAME002:warning"])
        let strict = check(source, .file(strict: true))
        #expect(strict.map { "\($0.rule):\($0.severity)" } == ["SEC003:error", "DSPY008:error", "NAME002:warning"])
        let candidate = check(source, .candidate)
        #expect(candidate.map { "\($0.rule):\($0.severity)" } == ["DSPY002:error", "SEC003:error", "DSPY008:error", "NAME002:warning"])
    }

    @Test func scriptsAndDSPyTestsAreNotErrors() {
        let script = "import dspy\nqa = dspy.Predict('question -> answer')\nprint(qa(question='hi').answer)\n"
        #expect(check(script, .file(strict: false)).isEmpty)
        let lmTest = "import dspy\n\ndef test_lm_call():\n    lm = dspy.LM('openai/gpt-4o-mini')\n    assert lm('hello')[0]\n"
        #expect(check(lmTest, .file(strict: false)).allSatisfy { $0.severity == .warning })
        #expect(Self.rules(lmTest) == ["PRAC001"])
    }

    @Test func legitimateLookalikesAreNotFlagged() {
        let source = """
            import re
            import dspy
            from dspy.teleprompt import BootstrapFewShot

            PATTERN = re.compile(r"\\d+")

            class Base(dspy.Predict):
                pass

            class Child(Base):
                def forward(self, **kwargs):
                    return super().forward(**kwargs)

            def compile(program):
                return BootstrapFewShot(metric=None).compile(program, trainset=[])

            def numbers(text):
                with open("notes.txt") as notes, open("more.txt", "rb") as more:
                    return re.findall(PATTERN, text + notes.read()) + [more.read()]

            class Wrapper(dspy.Module):
                def __call__(self, *args, **kwargs):
                    return self.forward(*args, **kwargs)

                def forward(self, question):
                    return dspy.Prediction(answer=question)

            compiled = compile(Child("question -> answer"))
            value = eval_model = None
            """
        #expect(Self.rules(source).isEmpty, "\(check(source))")
    }

    @Test func syntaxErrorHasThePosition() {
        let found = check("import dspy\n\nx = (1,\n")
        #expect(found.count == 1)
        #expect(found.first?.rule == "PY001")
        #expect(found.first?.severity == .error)
        #expect(found.first?.line == 3)
        #expect(check("import dspy\nif True\n    pass\n").first?.line == 2)
    }
}

/// Every rule is documented in mkspy-check(1), with an example or the fix.
@Suite struct ManPageTests {
    @Test func everyRuleIsDocumented() throws {
        let page = try String(contentsOfFile: "\(packageRoot)/man/man1/mkspy-check.1", encoding: .utf8)
        for rule in CheckRule.allCases {
            #expect(page.contains(".It \(rule.rawValue)\n"), "\(rule.rawValue) is not in mkspy-check(1)")
        }
    }
}
