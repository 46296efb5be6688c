import Foundation
import PythonSyntax
import Testing

/// Deep nesting is an error, never a stack overflow, whatever the caller's stack.
@Suite struct DepthTests {
    static let deep = 100_000

    @Test(arguments: [
        String(repeating: "(", count: deep) + String(repeating: ")", count: deep),
        String(repeating: "[", count: deep),
        String(repeating: "-", count: deep) + "1",
        String(repeating: "not ", count: deep) + "x",
        String(repeating: "lambda:", count: deep) + "1",
        String(repeating: "a if b else ", count: deep) + "c",
        "x" + String(repeating: ".a", count: deep),
        "x" + String(repeating: "+x", count: deep),
        "x" + String(repeating: "**x", count: deep),
        "x" + String(repeating: "[0]", count: deep),
        "x" + String(repeating: "()", count: deep),
        String(repeating: "f'{", count: deep) + "x" + String(repeating: "}'", count: deep),
        String(repeating: "*", count: deep) + "a = 1",
        String(repeating: "await ", count: deep) + "x",
    ])
    func deepNestingIsAnError(_ src: String) {
        guard case .failure = parse(src) else {
            Issue.record("accepted \(src.prefix(20))...")
            return
        }
    }

    @Test func hundredThousandBracketsMessage() {
        let src = String(repeating: "(", count: Self.deep) + String(repeating: ")", count: Self.deep)
        guard case let .failure(e) = parse(src) else { Issue.record("accepted"); return }
        #expect(e.message == "too many nested parentheses")
        #expect(e.lineno == 1 && e.colOffset == 200)
    }

    @Test func indentationLimit() {
        var ok = "", bad = ""
        for i in 0..<99 { ok += String(repeating: " ", count: i) + "if x:\n" }
        ok += String(repeating: " ", count: 99) + "pass\n"
        for i in 0..<100 { bad += String(repeating: " ", count: i) + "if x:\n" }
        bad += String(repeating: " ", count: 100) + "pass\n"
        if case let .failure(e) = parse(ok) { Issue.record("99 levels rejected: \(e)") }
        guard case let .failure(e) = parse(bad) else { Issue.record("100 levels accepted"); return }
        #expect(e.message == "too many levels of indentation")
    }

    @Test func twoHundredBracketsAreFine() {
        let src = String(repeating: "(", count: 200) + String(repeating: ")", count: 200)
        if case let .failure(e) = parse(src) { Issue.record("rejected: \(e)") }
    }

    @Test func moderateDepthWorksOnASmallStackThread() async {
        // Swift concurrency threads have small stacks; the parser runs on its own big one.
        let src = "x = " + String(repeating: "-", count: 2000) + "1\n" + "y = x" + String(repeating: "+x", count: 2000)
        let r = await Task.detached { parse(src) }.value
        if case let .failure(e) = r { Issue.record("rejected: \(e)") }
    }
}
