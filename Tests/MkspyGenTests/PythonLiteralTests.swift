import MkspyCore
import Testing

@testable import MkspyGen

@Suite struct PythonLiteralTests {
    @Test func escapesWhatIsNotPrintable() {
        #expect(PythonLiteral.string("plain") == #""plain""#)
        #expect(PythonLiteral.string("a\"b\\c") == #""a\"b\\c""#)
        #expect(PythonLiteral.string("\n\r\t\u{0}\u{7F}") == #""\n\r\t\x00\x7f""#)
        #expect(PythonLiteral.string("\u{200F}\u{2028}\u{A0}") == #""\u200f\u2028\xa0""#)
        #expect(PythonLiteral.string("é🎉") == "\"é🎉\"")
        #expect(PythonLiteral.string("\u{E000}\u{F0000}") == #""\ue000\U000f0000""#)
    }

    @Test func docstringsArePlainOnlyWhenSafe() {
        #expect(PythonLiteral.docstring("Add it up.", indent: "    ") == "    \"\"\"Add it up.\"\"\"\n")
        #expect(PythonLiteral.docstring("ends with \"", indent: "") == "\"ends with \\\"\"\n")
        #expect(PythonLiteral.docstring("a\\b", indent: "") == "\"a\\\\b\"\n")
        #expect(PythonLiteral.docstring("", indent: "") == "\"\"\n")
        #expect(PythonLiteral.docstring("one\ntwo", indent: "    ") == "    (\n        \"one\\n\"\n        \"two\"\n    )\n")
    }

    @Test func jsonValuesBecomePythonLiterals() {
        let value: JSON = ["b": [1, .number("2.5e-3"), true, false, nil], "a": "x\"y"]
        #expect(PythonLiteral.value(value) == #"{"a": "x\"y", "b": [1, 2.5e-3, True, False, None]}"#)
        #expect(PythonLiteral.value(.number("1); import os; (1")) == nil)
        for good in ["0", "-0", "12", "1.5", "-1e9", "2E+10", "0.001e-5"] { #expect(PythonLiteral.isJSONNumber(good), "\(good)") }
        for bad in ["", "-", "01", "1.", ".5", "1e", "1e+", "0x10", "1_000", "inf", "NaN", "1 "] { #expect(!PythonLiteral.isJSONNumber(bad), "\(bad)") }
    }
}
