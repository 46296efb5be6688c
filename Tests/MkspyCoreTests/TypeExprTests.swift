import Testing
@testable import MkspyCore

func typeOf(_ text: String) -> TypeExpr? {
    if case .success(let t) = TypeExpr.parse(text) { return t }
    return nil
}

func typeError(_ text: String) -> String? {
    if case .failure(let e) = TypeExpr.parse(text) { return e.message }
    return nil
}

@Suite("Type expressions")
struct TypeExprTests {
    @Test(arguments: ["str", "int", "float", "bool"])
    func primitives(_ name: String) throws {
        #expect(typeOf(name) == .primitive(name))
        #expect(typeOf(" \(name) ")?.description == name)
    }

    @Test func namesAreReferences() throws {
        #expect(typeOf("LineItem") == .named("LineItem"))
        #expect(typeOf("_Private2") == .named("_Private2"))
        #expect(typeOf("dict[str, list[A | None]]")?.references == ["A"])
        #expect(typeOf("list[str]")?.references == [])
    }

    @Test func compoundForms() throws {
        #expect(typeOf("list[str]") == .list(.primitive("str")))
        #expect(typeOf("dict[str, int]") == .dict(.primitive("int")))
        #expect(typeOf("str | None") == .optional(.primitive("str")))
        #expect(typeOf("list[Item] | None") == .optional(.list(.named("Item"))))
        #expect(typeOf("list[Item | None]") == .list(.optional(.named("Item"))))
        #expect(typeOf("dict[str, list[dict[str, Money | None]]]") ==
            .dict(.list(.dict(.optional(.named("Money"))))))
    }

    @Test(arguments: [
        ("list[ LineItem ]", "list[LineItem]"),
        ("list[LineItem]", "list[LineItem]"),
        ("dict[str,int]", "dict[str, int]"),
        ("dict[ str ,  list[ A ] ]", "dict[str, list[A]]"),
        ("str|None", "str | None"),
        ("  list[str|None]|None ", "list[str | None] | None"),
        ("Money", "Money"),
    ])
    func normalization(_ input: String, _ normalized: String) throws {
        #expect(typeOf(input)?.description == normalized)
        #expect(typeOf(normalized)?.description == normalized)
    }

    @Test(arguments: [
        ("dict[int, str]", "dict[str, T]"),
        ("dict[str]", "dict[str, T]"),
        ("Optional[str]", "T | None"),
        ("A | B", "only 'T | None'"),
        ("str | int", "only 'T | None'"),
        ("", "empty type"),
        ("   ", "empty type"),
        ("list[str", "missing ']'"),
        ("dict[str, int", "missing ']'"),
        ("list[str]]", "unexpected ']'"),
        ("list", "write list[T]"),
        ("list[]", "not a type name"),
        ("List[str]", "list[...]"),
        ("Dict[str, int]", "dict[...]"),
        ("None", "None alone"),
        ("str | None | None", "twice"),
        ("list[", "ends where a type should be"),
        ("a.b", "not a type name"),
        ("9lives", "not a type name"),
        ("str int", "unexpected 'int'"),
        ("tuple(str)", "unexpected '('"),
    ])
    func errors(_ input: String, _ fragment: String) throws {
        let message = try #require(typeError(input), "\(input) parsed as \(String(describing: typeOf(input)))")
        #expect(message.contains(fragment), "\(input): \(message)")
        #expect(message.hasPrefix("type '\(input)':"))
    }

    @Test func deepNestingIsAnError() throws {
        let deep = String(repeating: "list[", count: 100) + "str" + String(repeating: "]", count: 100)
        #expect(typeError(deep)?.contains("nested too deeply") == true)
        let fine = String(repeating: "list[", count: 20) + "str" + String(repeating: "]", count: 20)
        #expect(typeOf(fine)?.description == fine)
    }
}

@Suite("Signature strings")
struct SignatureTests {
    func fields(_ text: String) -> (inputs: [Field], outputs: [Field])? {
        if case .success(let f) = parseSignature(text) { return f }
        return nil
    }

    func error(_ text: String) -> String? {
        if case .failure(let e) = parseSignature(text) { return e.message }
        return nil
    }

    @Test func typedFields() throws {
        let f = try #require(fields("question: str, passages: list[Passage] -> answer: str"))
        #expect(f.inputs == [Field(name: "question", type: "str"), Field(name: "passages", type: "list[Passage]")])
        #expect(f.outputs == [Field(name: "answer", type: "str")])
    }

    @Test func untypedFieldsAreStr() throws {
        let f = try #require(fields("question, context -> answer"))
        #expect(f.inputs == [Field(name: "question", type: "str"), Field(name: "context", type: "str")])
        #expect(f.outputs == [Field(name: "answer", type: "str")])
    }

    @Test func commasInsideBracketsDoNotSplit() throws {
        let f = try #require(fields("scores: dict[str, int], notes -> best: dict[str, list[Item]] | None, reason"))
        #expect(f.inputs.map(\.name) == ["scores", "notes"])
        #expect(f.inputs.map(\.type) == ["dict[str, int]", "str"])
        #expect(f.outputs == [Field(name: "best", type: "dict[str, list[Item]] | None"), Field(name: "reason", type: "str")])
    }

    @Test func typesAreNormalizedAndSpacingIsFree() throws {
        let f = try #require(fields("lines:list[ LineItem ]->total:Money|None"))
        #expect(f.inputs == [Field(name: "lines", type: "list[LineItem]")])
        #expect(f.outputs == [Field(name: "total", type: "Money | None")])
    }

    @Test(arguments: [
        ("question answer", "exactly one '->'"),
        ("a -> b -> c", "exactly one '->'"),
        (" -> answer", "at least one input and one output"),
        ("question ->", "at least one input and one output"),
        ("->", "at least one input and one output"),
        ("a, , b -> c", "empty field"),
        ("a, -> c", "empty field"),
        (": str -> c", "empty field"),
        ("a: Optional[str] -> b", "T | None"),
        ("a: dict[int, str] -> b", "dict[str, T]"),
        ("a -> b: list[str", "missing ']'"),
    ])
    func malformed(_ text: String, _ fragment: String) throws {
        let message = try #require(error(text), "\(text) parsed")
        #expect(message.contains(fragment), "\(text): \(message)")
    }
}
