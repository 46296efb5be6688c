import Foundation
import PythonSyntax
import Testing

/// Every node's range encloses its children's (CPython's one exception: a decorated
/// definition starts at `def`/`class`, after its decorators).
@Suite struct PositionTests {
    static func check(_ n: Node, _ bad: inout [String]) {
        for f in n.fields where f.name != "decorator_list" {
            for c in f.value.nodes {
                if n.hasPosition && c.hasPosition {
                    let starts = (n.lineno, n.colOffset) <= (c.lineno, c.colOffset)
                    let ends = (c.endLineno, c.endColOffset) <= (n.endLineno, n.endColOffset)
                    if !starts || !ends {
                        bad.append("\(n.type)@\(n.lineno):\(n.colOffset) does not enclose \(c.type)@\(c.lineno):\(c.colOffset)")
                    }
                }
                if c.hasPosition {
                    #expect((c.lineno, c.colOffset) <= (c.endLineno, c.endColOffset))
                }
            }
        }
        for c in n.children { check(c, &bad) }
    }

    @Test(arguments: fixtureFiles("features") + fixtureFiles("stdlib"))
    func enclosure(_ py: URL) throws {
        let m = try parseModule(bytes(py)).get()
        var bad: [String] = []
        Self.check(m, &bad)
        #expect(bad.isEmpty, "\(py.lastPathComponent): \(bad.prefix(5))")
    }

    @Test func columnsCountUTF8Bytes() throws {
        let m = try parse("é = 'ü'; x\n").get()
        let body = m["body"]!.nodes
        #expect(body[0].endColOffset == 9)
        #expect(body[1].colOffset == 11)
        let target = body[0]["targets"]!.nodes[0]
        #expect(target.endColOffset == 2)
    }

    @Test func lineEndings() throws {
        for src in ["a = 1\nb = 2\n", "a = 1\r\nb = 2\r\n", "a = 1\rb = 2\r", "a = 1\nb = 2"] {
            let m = try parse(src).get()
            let b = m["body"]!.nodes[1]
            #expect(b.lineno == 2 && b.colOffset == 0 && b.endColOffset == 5)
        }
    }
}
