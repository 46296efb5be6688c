import Foundation
import MkspyCore
import Testing

@testable import MkspyGen

/// Things whose Python names meet in a generated program: the generated classes give way
/// (GeneratedNames.classes), so every such spec renders, checks clean with mkspy-check, and
/// imports and runs under DSPy.
@Suite(.serialized) struct NameCollisionTests {
    /// What holds a name in a generated program.
    enum Holder: String, CaseIterable {
        case program             // the dspy.Module: the spec name in CamelCase
        case operation           // a dspy.Signature: the operation name in CamelCase
        case otherOperation      // a second operation with the same CamelCase (`respond_`)
        case alias, enumeration, record, tool
        case field               // a program input named in CamelCase
    }

    struct Case: CustomTestStringConvertible {
        let label: String
        let spec: JSONObject
        var testDescription: String { label }
    }

    /// A spec in which every holder in `holders` is named `word` (snake case) or its CamelCase.
    static func spec(_ holders: Set<Holder>, word: String = "respond", types extra: JSONObject = [:]) -> JSONObject {
        let camel = GeneratedNames.className(word)
        var types = extra
        if holders.contains(.alias) { types[camel] = "str" }
        if holders.contains(.enumeration) { types[camel] = ["yes", "no"] }
        if holders.contains(.record) { types[camel] = ["text": ["type": "str", "desc": "the text"]] }
        let questionType: JSON = holders.contains(.alias) ? .string(camel) : "str"
        let answerType: JSON = holders.contains(.enumeration) || holders.contains(.record) ? .string(camel) : "str"
        var inputs: JSONObject = ["question": questionType]
        if holders.contains(.field) { inputs[camel] = "str" }
        var outputs: JSONObject = ["answer": answerType]
        var first: JSONObject = ["name": .string(holders.contains(.operation) ? word : "reply"), "inputs": .object(inputs),
                                 "outputs": ["answer": answerType], "instruction": "Answer the question."]
        var spec: JSONObject = ["name": .string(holders.contains(.program) ? word : "qa"), "description": "Answer a question.",
                                "types": .object(types), "inputs": .object(inputs),
                                "metric": ["kind": "exact", "field": "answer"]]
        if holders.contains(.tool) {
            first["strategy"] = "react"
            first["tools"] = [.string(camel)]
            spec["tools"] = [camel: ["module": "gen_tools", "doc": "Reply to a question."]]
        }
        var operations: [JSON] = [.object(first)]
        if holders.contains(.otherOperation) {
            operations.append(["name": .string(word + "_"), "inputs": ["answer": answerType], "outputs": ["summary": "str"],
                               "instruction": "Summarize the answer."])
            outputs["summary"] = "str"
        }
        spec["outputs"] = .object(outputs)
        spec["operations"] = .array(operations)
        return spec
    }

    /// Every pair of a generated class and another holder of the same name; then all the
    /// generated ones at once, the suffixed names taken too, and names the program imports or
    /// Python reserves.
    static let cases: [Case] = {
        var cases = [Case]()
        var seen = Set<Set<Holder>>()
        for a in [Holder.program, .operation] {
            for b in Holder.allCases where b != a && seen.insert([a, b]).inserted {
                cases.append(Case(label: "\(a) and \(b)", spec: spec([a, b])))
            }
        }
        // Two user names that meet are a clash (SPEC026), so one user holder at a time.
        for user in [Holder.alias, .enumeration, .record, .tool, .field] {
            cases.append(Case(label: "program, both operations and \(user)", spec: spec([.program, .operation, .otherOperation, user])))
        }
        cases.append(Case(label: "the suffixed names taken too",
                          spec: spec([.program, .operation, .alias], types: ["RespondProgram": "str", "RespondSignature": "str"])))
        let entry: JSONObject = ["Entry": ["text": ["type": "str", "desc": "the text"]], "Mood": ["calm", "tense"]]
        for (word, holders) in [("base_model", [Holder.program]), ("field", [.operation]), ("literal", [.program, .operation]),
                                ("true", [.program]), ("none", [.operation])] {
            cases.append(Case(label: "\(holders.map(\.rawValue).joined(separator: " and ")) named '\(word)'",
                              spec: spec(Set(holders), word: word, types: entry)))
        }
        return cases
    }()

    @Test func namesGiveWayAsDocumented() throws {
        func classes(_ object: JSONObject) -> GeneratedNames.Classes { GeneratedNames.classes(validateSpec(object).spec) }
        let both = classes(Self.spec([.program, .operation]))
        #expect(both.program == "Respond" && both.signatures == ["respond": "RespondSignature"])
        #expect(classes(Self.spec([.program, .alias])).program == "RespondProgram")
        #expect(classes(Self.spec([.operation, .otherOperation])).signatures == ["respond": "Respond", "respond_": "RespondSignature"])
        let cascade = classes(Self.spec([.program, .operation, .alias], types: ["RespondProgram": "str", "RespondSignature": "str"]))
        #expect(cascade.program == "RespondProgram2" && cascade.signatures == ["respond": "RespondSignature2"])
        #expect(classes(Self.spec([.program], word: "true")).program == "TrueProgram")
        #expect(classes(Self.spec([.program], word: "base_model")).program == "BaseModelProgram")
        #expect(classes(Self.spec([.operation], word: "none")).signatures["none"] == "NoneSignature")
    }

    @Test func everyCollisionRendersChecksCleanAndRunsUnderDSPy() throws {
        for c in Self.cases {
            let errors = validateSpec(c.spec).diagnostics.filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(c.label): \(errors.map(\.message))")
        }
        // The tools as a user runs them: mkspy-spec | mkspy-gen | mkspy-check, the tool module beside the spec.
        let directory = NSTemporaryDirectory() + "mkspy-names-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: Support.fixtures + "/gen_tools.py", toPath: directory + "/gen_tools.py")
        let specs = Self.cases.map { JSON.object($0.spec).text }.joined(separator: "\n") + "\n"
        try specs.write(toFile: directory + "/specs.jsonl", atomically: true, encoding: .utf8)
        let bin = URL(fileURLWithPath: Support.genBinary).deletingLastPathComponent().path
        let run = try Support.run(["/bin/sh", "-c", "cd '\(directory)' && '\(bin)/mkspy-spec' -q specs.jsonl | '\(bin)/mkspy-gen' -q --async --stream | '\(bin)/mkspy-check' -q"])
        #expect(run.status == 0, "\(run.stderr)")
        let records = try String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map { try JSON.parse(String($0)) }
        #expect(records.count == Self.cases.count)
        var programs = [(Candidate, JSON)]()
        for (c, record) in zip(Self.cases, records) {
            #expect(record["kind"] == "candidate", "\(c.label): \(record.text.prefix(300))")
            #expect(record["check"]?["ok"] == true && record["check"]?["diagnostics"] == [], "\(c.label): \(record["check"]?.text ?? "no check")")
            let candidate = try Candidate(json: try #require(record.objectValue))
            #expect(candidate.source == (try Renderer.render(candidate, options: RenderOptions(async: true, stream: true))))
            programs.append((candidate, try Support.program(candidate, label: c.label, options: RenderOptions(async: true, stream: true))))
        }
        try Support.runUnderDSPy(programs)
    }
}
