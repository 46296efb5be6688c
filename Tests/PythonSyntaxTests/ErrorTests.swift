import Foundation
import PythonSyntax
import Testing

@Suite struct ErrorTests {
    /// Sources CPython 3.13 rejects, with its message, line and 0-based column.
    @Test(arguments: [
        ("x = (1", "'(' was never closed", 1, 4),
        ("f(**x, *y)", "iterable argument unpacking follows keyword argument unpacking", 1, 7),
        ("f(a for a in b, c)", "Generator expression must be parenthesized", 1, 2),
        ("1__0", "invalid decimal literal", 1, 1),
        ("0b2", "invalid digit '2' in binary literal", 1, 2),
        ("0o8", "invalid digit '8' in octal literal", 1, 2),
        ("if x:\n\ty\n        z", "inconsistent use of tabs and spaces in indentation", 3, 8),
        ("x = 1\n  y = 2", "unexpected indent", 2, 2),
        ("if x:\n    a\n  b", "unindent does not match any outer indentation level", 3, 2),
        ("f() = 1", "cannot assign to function call", 1, 0),
        ("del f()", "cannot delete function call", 1, 4),
        ("def f(a=1, b): pass", "parameter without a default follows parameter with a default", 1, 11),
        ("def f(*): pass", "named arguments must follow bare *", 1, 6),
        ("print(f\"{x!}\")", "f-string: missing conversion character", 1, 11),
        ("x = 'abc", "unterminated string literal (detected at line 1)", 1, 4),
        ("b'é'", "bytes can only contain ASCII literal characters", 1, 0),
        ("'a' b'b'", "cannot mix bytes and nonbytes literals", 1, 0),
        ("x = 1 +", "invalid syntax", 1, 7),
        ("a\0b", "source code cannot contain null bytes", 1, 0),
    ] as [(String, String, Int, Int)])
    func rejected(_ c: (String, String, Int, Int)) {
        guard case let .failure(e) = parse(c.0) else {
            Issue.record("accepted: \(c.0)")
            return
        }
        #expect(e.message == c.1, "\(c.0)")
        #expect(e.lineno == c.2 && e.colOffset == c.3, "\(c.0): \(e)")
    }

    /// More sources CPython rejects (messages may differ from CPython's here).
    @Test(arguments: [
        "a = b += 1", "(a, b) += 1", "x = yield = 1", "(*a)", "f(x=1, y)", "f(**k, y)",
        "[x for x in lambda: y]", "f\"{lambda: 1}\"", "await await x", "lambda x: (yield) = 1",
        "def f(**k, a): pass", "def f(a, /, b, /): pass", "class A[]: pass", "with (a as b", "try:\n  pass\n",
        "try:\n  pass\nexcept* A:\n  pass\nexcept B:\n  pass\n", "match x:\n  case 1 + 1: pass\n",
        "match x:\n  case f(): pass\n  case {**a, b: 1}: pass\n", "from x import a,", "import a.b as",
        "x = 0_7", "x = 1e", "x = 0x", "'\\N{NO SUCH NAME}'", "'\\x4'", "f'{x'", "f'}'", "if x\n  pass",
        "x := 1", "print x", "a + 1 = 2", "for f() in x: pass", "with a as f(): pass", "[x for f() in y]",
        "# coding: koi8-r\nx = 1\n", "x = 1 \u{FF}", "def f[**P: int](): pass", "f(True=1)", "f(a.b=1)",
        "nonlocal", "x = $", "x = ?", "`x`", "a <> b", "if True:\npass", "elif x: pass", "else: pass",
        "f(x for x in y, )", "*a = 1 +", "del *a", "(yield) += 1", "x: int, y: int = 1, 2",
        "x = " + String(repeating: "1", count: 4301), "0x" + String(repeating: "f", count: 300_001),
        "\u{FEFF}# coding: utf8\nx = 1\n", "\u{FEFF}# coding: latin-1\nx = 1\n",
        "'\\N{TANGUT IDEOGRAPH-17000}'", "'\\N{cjk unified ideograph-4e00}'", "'\\N{SAUDI RIYAL SIGN}'", "'\\N{hangul syllable ga}'",
    ])
    func rejectedAnyMessage(_ src: String) {
        if case .success = parse(src) { Issue.record("accepted: \(src)") }
    }

    /// Sources CPython accepts that naive parsers trip on.
    @Test(arguments: [
        "match = 1", "case = 2", "type = 3", "_ = 4", "print(match, case, type)", "match(x)",
        "match x:\n  case _: pass\n", "type X = int", "1if 1 else 2", "0x1for x in y", "f'{x:=10}'",
        "x = *a,", "*a, b = c", "return", "nonlocal x", "break", "await x", "lambda: (yield)",
        "with (a, b): pass", "with (a, b) as c: pass", "a[*b]", "f(*a or b)", "{(x := 1): 2}",
        "def f(a, /): pass", "def f(*, a): pass", "def f(**k,): pass", "lambda *a, **k: 0",
        "x = 1;", "if x: pass;", "@a.b[c](d)\ndef f(): pass", "class A(B, *c, d=1, **e): pass",
        "f'{\"nested\"}' f\"{'x'}\"", "f'''{\n x # comment\n}'''", "u'a' 'b'", "x[1:2, ::3, ...]",
        "async def f():\n  async with a: pass\n  async for x in y: pass\n  [x async for x in y]\n",
        "\u{FEFF}x = 1", "# -*- coding: latin-1 -*-\nx = 1\n", "\u{FEFF}# coding: utf-8\nx = 1\n",
        String(repeating: "1", count: 4300), String(repeating: "0", count: 5000), "0x" + String(repeating: "f", count: 20_000),
        "'\\N{LF}\\N{bullet}\\N{NBSP}\\N{CJK UNIFIED IDEOGRAPH-4E00}\\N{HANGUL SYLLABLE GA}'",
    ])
    func accepted(_ src: String) {
        if case let .failure(e) = parse(src) { Issue.record("rejected \(src): \(e)") }
    }

    @Test func latin1IsDecoded() throws {
        let src: [UInt8] = Array("# coding: latin-1\nx = '".utf8) + [0xE9] + Array("'\n".utf8)
        let m = try parseModule(src).get()
        let v = m["body"]!.nodes[0]["value"]!.node!
        guard case .constant(.str("é"))? = v["value"] else {
            Issue.record("got \(String(describing: v["value"]))")
            return
        }
        #expect(v.endColOffset == 8)
    }

    @Test func otherEncodingsAreAClearError() {
        guard case let .failure(e) = parseModule(Array("# coding: cp1252\nx = 1\n".utf8)) else {
            Issue.record("accepted")
            return
        }
        #expect(e.message.contains("cp1252"))
    }

    @Test func errorJSON() {
        let j = String(decoding: astJSON(Array("x = (".utf8)), as: UTF8.self)
        #expect(j == "{\"error\":{\"col_offset\":4,\"lineno\":1,\"message\":\"'(' was never closed\"}}\n")
    }
}

@Suite struct EncodingTests {
    @Test func invalidUTF8IsAnError() {
        guard case let .failure(e) = parseModule(Array("x = 1\ny = '".utf8) + [0xFF, 0x27, 0x0A]) else {
            Issue.record("accepted")
            return
        }
        #expect(e.lineno == 2)
    }
}
