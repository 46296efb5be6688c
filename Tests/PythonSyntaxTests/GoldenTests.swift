import Foundation
import PythonSyntax
import Testing

/// Our JSON dump must equal, byte for byte, CPython 3.13's AST written by
/// share/mkspy/python-ast/ast_to_json.py (goldens made by make_goldens.py).
@Suite struct GoldenTests {
    @Test(arguments: fixtureFiles("features"))
    func feature(_ py: URL) {
        let want = String(decoding: bytes(py.deletingPathExtension().appendingPathExtension("json")), as: UTF8.self)
        let got = String(decoding: astJSON(bytes(py)), as: UTF8.self)
        #expect(!want.isEmpty)
        #expect(got == want, "\(py.lastPathComponent)")
    }

    @Test(arguments: fixtureFiles("stdlib"))
    func stdlib(_ py: URL) {
        let want = String(decoding: bytes(py.deletingPathExtension().appendingPathExtension("fnv")), as: UTF8.self)
        let json = astJSON(bytes(py))
        #expect("\(fnv1a64(json)) \(json.count)\n" == want, "\(py.lastPathComponent)")
    }

    @Test func fixturesArePresent() {
        #expect(fixtureFiles("features").count >= 20)
        #expect(fixtureFiles("stdlib").count >= 10)
    }
}
