import Testing
@testable import MkspyCore

@Suite("Control characters in diagnostics")
struct ControlCharacterTests {
    @Test func controlCharactersAreEscapedAsInJSON() {
        #expect(escapingControlCharacters("plain 'name' ünïcödé \\x") == "plain 'name' ünïcödé \\x")
        #expect(escapingControlCharacters("a\nb\r\tc") == #"a\nb\r\tc"#)
        #expect(escapingControlCharacters("\u{1B}[31mred\u{7}") == #"\u001b[31mred\u0007"#)
        #expect(escapingControlCharacters("\u{0}\u{7F}\u{9B}2J\u{A0}") == #"\u0000\u007f\u009b2J"# + "\u{A0}")
    }
}
