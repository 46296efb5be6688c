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

    /// Small accept/reject corner cases: where CPython rejects, we must reject (the message
    /// may differ); where it accepts, the AST must match exactly.
    @Test(arguments: fixtureFiles("snippets"))
    func snippet(_ py: URL) {
        let want = String(decoding: bytes(py.deletingPathExtension().appendingPathExtension("json")), as: UTF8.self)
        let got = String(decoding: astJSON(bytes(py)), as: UTF8.self)
        let source = String(decoding: bytes(py), as: UTF8.self)
        if want.hasPrefix("{\"error\"") {
            #expect(got.hasPrefix("{\"error\""), "CPython rejects: \(source)")
        } else {
            #expect(got == want, "\(source)")
        }
    }

    @Test func fixturesArePresent() {
        #expect(fixtureFiles("features").count >= 20)
        #expect(fixtureFiles("stdlib").count >= 10)
        #expect(fixtureFiles("snippets").count >= 150)
    }
}
