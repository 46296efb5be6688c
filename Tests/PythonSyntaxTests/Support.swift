import Foundation
import PythonSyntax

/// Fixtures live next to the tests: Tests/PythonSyntaxTests/Fixtures/...
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func fixtureFiles(_ dir: String, ext: String = "py") -> [URL] {
    let d = fixtures.appendingPathComponent(dir)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
    return names.filter { $0.hasSuffix("." + ext) }.sorted().map { d.appendingPathComponent($0) }
}

func bytes(_ url: URL) -> [UInt8] { [UInt8]((try? Data(contentsOf: url)) ?? Data()) }

func parse(_ s: String) -> Result<Node, SyntaxError> { parseModule(Array(s.utf8)) }

func fnv1a64(_ b: [UInt8]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}
