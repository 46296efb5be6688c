import PythonSyntax
import Testing

/// The walks a linter does: classes and bases, calls, attributes, imports, positions.
@Suite struct APITests {
    let src = """
    import dspy
    from typing import Literal as L

    class QA(dspy.Signature):
        \"\"\"Answer questions.\"\"\"
        question: str = dspy.InputField(desc="q")

    class Prog(dspy.Module):
        def forward(self, question):
            return self.predict(question=question)
    """

    @Test func walk() throws {
        let m = try parse(src).get()
        #expect(m.type == "Module" && !m.hasPosition)
        var classes: [String] = [], calls: [String] = [], imports: [String] = []
        m.walk { n in
            switch n.type {
            case "ClassDef":
                let bases = n["bases"]!.nodes.map { b in "\(b["value"]?.node?["id"]?.string ?? "").\(b["attr"]?.string ?? "")" }
                classes.append("\(n["name"]!.string!)(\(bases.joined(separator: ",")))")
            case "Call":
                if let f = n["func"]?.node, f.type == "Attribute" { calls.append(f["attr"]!.string!) }
            case "alias":
                imports.append(n["name"]!.string! + (n["asname"]!.string.map { " as " + $0 } ?? ""))
            default: break
            }
        }
        #expect(classes == ["QA(dspy.Signature)", "Prog(dspy.Module)"])
        #expect(calls == ["InputField", "predict"])
        #expect(imports == ["dspy", "Literal as L"])
    }

    @Test func docstringAndPositions() throws {
        let m = try parse(src).get()
        let qa = m["body"]!.nodes[2]
        let doc = qa["body"]!.nodes[0]["value"]!.node!
        guard case .constant(.str("Answer questions."))? = doc["value"] else {
            Issue.record("docstring: \(String(describing: doc["value"]))")
            return
        }
        #expect(qa.lineno == 4 && qa.colOffset == 0 && qa.endLineno == 6)
        let ret = m["body"]!.nodes[3]["body"]!.nodes[0]["body"]!.nodes[0]
        #expect(ret.type == "Return" && ret.lineno == 10 && ret.colOffset == 8)
        let kw = ret["value"]!.node!["keywords"]!.nodes[0]
        #expect(kw["arg"]!.string == "question")
        #expect(m.children.count == 4)
    }
}

@Suite struct ValueAccessorTests {
    @Test func accessors() throws {
        let m = try parse("from ..pkg import name\nx = 'text'\nprint(f'{x!r}')\n").get()
        let body = m["body"]!.nodes
        #expect(body[0]["level"]?.int == 2)
        #expect(body[0]["module"]?.string == "pkg")
        #expect(body[1]["value"]?.node?["value"]?.constant == .str("text"))
        let fv = body[2]["value"]!.node!["args"]!.nodes[0]["values"]!.nodes[0]
        #expect(fv.type == "FormattedValue" && fv["conversion"]?.int == 114)
        #expect(m["no_such_field"] == nil)
        #expect("\(SyntaxError(message: "invalid syntax", lineno: 3, colOffset: 4))" == "3:5: invalid syntax")
    }
}
