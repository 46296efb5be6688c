import MkspyCore
import PythonSyntax
import Testing

@testable import MkspySpec

/// The texts static reading computes as Python does, checked against Python itself:
/// DSPy's `infer_prefix`, `inspect.cleandoc`, `repr` of a str, and `ast.unparse`.
@Suite struct PythonTextTests {
    static let prefixes = [
        "question", "generate_answer", "camelCaseText", "HTMLParser", "HTMLText2go", "text2number", "2text",
        "a__b", "_private", "x", "QA2", "already_Mixed_Case", "ABCdef", "getHTTPResponseCode", "été_élève",
    ]
    static let docs = [
        "Answer the question.", "\n    Indented.\n\n        More.\n    ", "\tTab\n\tbody\n", "First\n   \n  second",
        "  lead\n      deep\n    shallow\n", "", "\n\n", "a\u{00A0}\n\u{00A0}b", "x\n  \u{000C}y", "one\r\ntwo",
    ]
    static let reprs = ["plain", "it's", "say \"hi\"", "both ' and \"", "tab\tnew\nline\\", "\u{7}bell", "é ü 日本", "\u{00A0}nbsp", "\u{200B}zw"]
    static let expressions = [
        "list[str]", "dict[str, list[int]]", "Literal[\"a\", 'b']", "Optional[int]", "int | None", "typing.List[str]",
        "tuple[int, ...]", "Literal[1, -2, True, None]", "dict[str,   Any]", "Annotated[str, Field(max_length=3)]", "dspy.Image",
    ]

    @Test func textsAreWhatPythonComputes() throws {
        let answer = try Support.runScript("texts.py", job: [
            "prefixes": .array(Self.prefixes.map(JSON.string)), "cleandoc": .array(Self.docs.map(JSON.string)),
            "repr": .array(Self.reprs.map(JSON.string)), "unparse": .array(Self.expressions.map(JSON.string)),
        ])
        #expect(answer["prefixes"] == .array(Self.prefixes.map { .string(inferPrefix($0)) }))
        #expect(answer["cleandoc"] == .array(Self.docs.map { .string(cleandoc($0)) }))
        #expect(answer["repr"] == .array(Self.reprs.map { .string(pythonRepr($0)) }))
        let unparsed = Self.expressions.map { text -> JSON in
            guard case .success(let module) = parseModule(Array(text.utf8)), let expr = module.nodes("body").first?.node("value"),
                  let t = unparse(expr) else { return nil }
            return .string(t)
        }
        #expect(answer["unparse"] == .array(unparsed))
    }

    @Test func specNamesComeFromClassNames() {
        #expect(snakeName("MultiHopQA") == "multi_hop_qa")
        #expect(snakeName("RAG") == "rag")
        #expect(snakeName("SimpleQA2") == "simple_qa_2")
    }
}
