import Testing
@testable import MkspyCore

@Suite("Spec normalization and ids")
struct NormalizationTests {
    func record(_ text: String) -> JSON {
        let (spec, d) = validate(text)
        return spec.record(diagnostics: d)
    }

    @Test func designExampleNormalizes() throws {
        let (spec, _) = validate(designExample)
        let json = spec.json
        #expect(json["types"]?["Money"] == ["kind": "alias", "type": "float"])
        #expect(json["types"]?["Currency"] == ["kind": "enum", "values": ["USD", "EUR", "GBP"]])
        #expect(json["types"]?["Items"] == ["kind": "alias", "type": "list[LineItem]"])
        #expect(json["types"]?["LineItem"] == ["kind": "record", "fields": [
            ["name": "sku", "type": "str", "desc": ""], ["name": "qty", "type": "int", "desc": ""],
            ["name": "price", "type": "Money", "desc": ""],
        ]])
        #expect(json["inputs"] == [["name": "invoice", "type": "Invoice", "desc": ""]])
        #expect(json["outputs"] == [["name": "total", "type": "Money", "desc": ""], ["name": "currency", "type": "Currency", "desc": ""]])
        let ops = try #require(json["operations"]?.arrayValue)
        #expect(ops[0]["inputs"] == [["name": "invoice", "type": "Invoice", "desc": "raw invoice text"]])
        #expect(ops[0]["strategy"] == "predict")
        #expect(ops[0]["tools"] == [])
        // The signature string becomes field arrays.
        #expect(ops[1]["inputs"] == [["name": "lines", "type": "Items", "desc": ""]])
        #expect(ops[1]["outputs"] == [["name": "total", "type": "Money", "desc": ""]])
        #expect(ops[1]["signature"] == nil)
        #expect(ops[1]["strategy"] == "cot")
        #expect(ops[1]["instruction"] == "Add up qty times price for every item.")
        #expect(json["tools"] == .object(JSONObject()))
        #expect(json["metric"] == ["kind": "numeric", "field": "total", "tolerance": .number("0.01")])
        #expect(json["description"] == "Read an invoice and report its total.")
    }

    @Test func recordHasKindIdOkAndDiagnostics() throws {
        let r = record(designExample)
        #expect(r["kind"] == "spec")
        #expect(r["ok"] == true)
        #expect(r["diagnostics"] == [])
        let id = try #require(r["id"]?.stringValue)
        #expect(id.count == 16)
        #expect(id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(r["path"] == nil)
        let bad = record(qa(metric: #"{"kind": "fuzzy"}"#))
        #expect(bad["ok"] == false)
        #expect(bad["diagnostics"]?.arrayValue?.first?["rule"] == "SPEC022")
        #expect(bad["diagnostics"]?.arrayValue?.first?["path"] == ".metric.kind")
        #expect(bad["diagnostics"]?.arrayValue?.first?["severity"] == "error")
    }

    @Test func typesAreNormalizedEverywhere() throws {
        let (spec, d) = validate(qa(types: #"{"Tag": "str", "Tags": "list[ Tag ]"}"#, outputs: #"{"answer": "dict[str,list[Tag]]|None"}"#,
                                    operations: #"[{"name": "respond", "signature": "question:str->answer:dict[ str , list[Tag] ] | None"}]"#))
        #expect(d.isEmpty, "\(d.map(\.message))")
        #expect(spec.definition(of: "Tags") == .alias("list[Tag]"))
        #expect(spec.outputs == [Field(name: "answer", type: "dict[str, list[Tag]] | None")])
        #expect(spec.operations[0].outputs == spec.outputs)
    }

    @Test func descObjectsAndDefaultInstruction() throws {
        let (spec, _) = validate(qa(inputs: #"{"question": {"type": "str", "desc": "what the user asks"}}"#,
                                    outputs: #"{"answer": {"type": "str"}}"#,
                                    operations: #"[{"name": "respond", "inputs": {"question": {"type": "str", "desc": "the question"}}, "outputs": {"answer": "str"}}]"#))
        #expect(spec.inputs == [Field(name: "question", type: "str", desc: "what the user asks")])
        #expect(spec.outputs == [Field(name: "answer", type: "str", desc: "")])
        #expect(spec.operations[0].inputs == [Field(name: "question", type: "str", desc: "the question")])
        #expect(spec.operations[0].instruction == "Given the fields `question`, produce the fields `answer`.")
    }

    @Test func idIsStableAcrossKeyOrderAndWhitespace() throws {
        let a = record(designExample)["id"]
        let reordered = """
            {"metric":{"tolerance":0.01,"field":"total","kind":"numeric"},
             "operations":[{"instruction":"List every line item on the invoice.","outputs":{"lines":"Items","currency":"Currency"},
                            "inputs":{"invoice":{"desc":"raw invoice text","type":"Invoice"}},"name":"extract_items"},
                           {"instruction":"Add up qty times price for every item.","signature":"lines:Items->total:Money","strategy":"cot","name":"sum_items"}],
             "outputs":{"total":"Money","currency":"Currency"},"inputs":{"invoice":"Invoice"},
             "types":{"Items":"list[ LineItem ]","LineItem":{"sku":"str","qty":"int","price":"Money"},"Currency":["USD","EUR","GBP"],"Money":"float","Invoice":"str"},
             "description":"Read an invoice and report its total.","name":"invoice_total"}
            """
        #expect(record(reordered)["id"] == a)
        #expect(record(designExample.replacingOccurrences(of: "\n", with: " ")).nonNilID == a?.stringValue)
    }

    @Test func idChangesWhenTheSpecChanges() throws {
        let a = record(designExample)["id"]
        let changes = [
            designExample.replacingOccurrences(of: "Add up qty", with: "Sum qty"),
            designExample.replacingOccurrences(of: "\"tolerance\": 0.01", with: "\"tolerance\": 0.02"),
            designExample.replacingOccurrences(of: "\"strategy\": \"cot\"", with: "\"strategy\": \"predict\""),
            designExample.replacingOccurrences(of: "raw invoice text", with: "the invoice"),
            designExample.replacingOccurrences(of: "\"GBP\"]", with: "\"GBP\", \"JPY\"]"),
            // Field order is part of a signature.
            designExample.replacingOccurrences(of: #"{"lines": "Items", "currency": "Currency"}"#, with: #"{"currency": "Currency", "lines": "Items"}"#),
        ]
        var ids = Set<String>()
        for (i, text) in changes.enumerated() {
            let id = record(text)["id"]
            #expect(id != a, "change \(i) kept the id")
            if let s = id?.stringValue { ids.insert(s) }
        }
        #expect(ids.count == changes.count)
    }

    @Test func pathIsNotPartOfTheId() throws {
        let (valid, d) = validate(designExample)
        var spec = valid
        let before = spec.id
        spec.path = "/somewhere/spec.json"
        #expect(spec.id == before)
        #expect(spec.record(diagnostics: d)["path"] == "/somewhere/spec.json")
        #expect(spec.record(diagnostics: d)["id"]?.stringValue == before)
    }

    @Test(arguments: [designExample, qa(inputs: #"{"question": "str", "context": {"type": "str", "desc": "background"}}"#),
                      qa(operations: #"[{"name": "respond", "strategy": "react", "tools": ["search"], "signature": "question -> answer", "instruction": "Look it up."}]"#,
                         extra: #", "tools": {"search": {"module": "mytools", "doc": "Search the web."}}"#),
                      qa(types: #"{"Mood": ["calm", "angry"], "Card": {"mood": "Mood | None", "title": {"type": "str", "desc": "short"}}}"#,
                         metric: #"{"kind": "python", "path": "metric.py", "function": "metric"}"#)])
    func revalidatingTheRecordIsIdempotent(_ text: String) throws {
        let first = record(text)
        let again = try JSON.parse(first.text)
        let object = try #require(again.objectValue)
        let (spec, d) = validateSpec(object)
        let second = spec.record(diagnostics: d)
        #expect(second.text == first.text)
        #expect(second["id"] == first["id"])
        // And once more, with a path that must survive.
        var withPath = object
        withPath["path"] = "/data/spec.json"
        let (spec3, d3) = validateSpec(withPath)
        #expect(spec3.path == "/data/spec.json")
        #expect(spec3.id == spec.id)
        #expect(d3 == d)
    }

    /// A spec record that says ok:false must not turn valid when it is validated again
    /// (`mkspy-spec bad.json | mkspy-spec | mkspy-gen` would otherwise generate from it):
    /// normalization must not drop the very thing that was wrong.
    @Test(arguments: [
        qa(metric: #"{"kind": "fuzzy"}"#),
        qa(operations: #"[{"name": "respond", "strategy": "think", "signature": "question -> answer"}]"#),
        qa(operations: #"[{"name": "respond", "signature": "question -> answer", "inputs": {"question": "str"}}]"#),
        qa(types: #"{"Mood": ["calm", 3]}"#),
        qa(inputs: #"{"question": {"type": "str", "desc": 5}}"#),
        qa(operations: #"[{"name": "respond", "tools": "search", "signature": "question -> answer"}]"#),
    ])
    func revalidatingAnInvalidRecordKeepsItInvalid(_ text: String) throws {
        let first = record(text)
        #expect(first["ok"] == false)
        let (spec, d) = validateSpec(try #require(try JSON.parse(first.text).objectValue))
        let second = spec.record(diagnostics: d)
        #expect(second["ok"] == false, "an invalid spec became valid: \(second["diagnostics"]?.text ?? "")")
    }

    @Test func examplesAreValid() throws {
        var root = #filePath
        while !root.isEmpty, readFile(root + "/Package.swift") == nil { root = String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)]) }
        let names = ["contact_extract", "invoice_total", "sentiment_python_metric", "summarize", "support_triage", "wiki_qa"]
        for name in names {
            let bytes = try #require(readFile("\(root)/share/mkspy/examples/\(name)/spec.json"), "\(name)")
            let (spec, d) = validateSpec(try #require(try JSON.parse(bytes).objectValue))
            #expect(d.errors.isEmpty, "\(name): \(d.map { "\($0.rule) \($0.path ?? "") \($0.message)" })")
            #expect(spec.name == name)
        }
    }
}

extension JSON {
    var nonNilID: String? { self["id"]?.stringValue }
}
