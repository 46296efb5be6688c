import Foundation
import MkspyCore
import Testing

@testable import MkspyGen

/// The mkspy-gen binary and its seeding, on the records of DESIGN.md.
@Suite struct GenToolTests {
    static func specRecord(_ name: String) throws -> [UInt8] {
        let spec = try Support.exampleSpec(name)
        return spec.record(diagnostics: []).encoded + [0x0A]
    }

    static func gen(_ arguments: [String], _ input: [UInt8]) throws -> Support.Output {
        let binary = Support.genBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build mkspy-gen first: \(binary)")
        return try Support.run([binary] + arguments, input: Data(input))
    }

    static func records(_ output: Support.Output) throws -> [JSON] {
        try String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    /// A filter in a pipeline passes on what it has before it waits for more input: the first
    /// record comes out while the input is still open.
    @Test func writesWhatItHasBeforeWaitingForInput() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Support.genBinary)
        let input = Pipe(), output = Pipe()
        (process.standardInput, process.standardOutput) = (input, output)
        try process.run()
        defer { try? input.fileHandleForWriting.close(); process.waitUntilExit() }
        input.fileHandleForWriting.write(Data("{\"kind\":\"note\",\"n\":1}\n".utf8))
        let out = output.fileHandleForReading
        var line = [UInt8]()
        while waitReadable([out.fileDescriptor], timeoutMS: 30_000)[0], let byte = try out.read(upToCount: 1)?.first, byte != 0x0A {
            line.append(byte)
        }
        #expect(String(decoding: line, as: UTF8.self) == "{\"kind\":\"note\",\"n\":1}")
    }

    @Test func seedsOnePerVariant() throws {
        let invoice = try Support.exampleSpec("invoice_total")
        let seeds = Seeds.candidates(invoice, variants: [.predict, .cot])
        #expect(seeds.map { $0.genome.modules["extract_items"]!.strategy } == [.predict, .cot])
        #expect(seeds.map { $0.genome.modules["sum_items"]!.strategy } == [.predict, .cot])
        #expect(seeds.allSatisfy { $0.origin == "seed" && $0.generation == 0 && $0.parents.isEmpty })
        // No flag: the spec's own strategies.
        let own = Seeds.candidates(invoice, variants: [])
        #expect(own.count == 1)
        #expect(own[0].genome == Genome(seed: invoice))
        // react applies only where the spec declares tools; react operations keep react.
        #expect(Seeds.candidates(invoice, variants: [.react]).first?.genome == Genome(seed: invoice))
        let wiki = try Support.exampleSpec("wiki_qa")
        let wikiSeeds = Seeds.candidates(wiki, variants: [.predict, .cot, .react])
        #expect(wikiSeeds.count == 1)
        #expect(wikiSeeds[0].genome.modules["answer_question"]?.strategy == .react)
    }

    @Test func parsesStrategies() {
        if case .success(let v) = Seeds.parseVariants("predict,cot,predict") { #expect(v == [.predict, .cot]) } else { Issue.record("rejected") }
        if case .failure(let e) = Seeds.parseVariants("predict,tot") { #expect(e.message.contains("'tot'")) } else { Issue.record("accepted tot") }
    }

    @Test func specBecomesRenderedSeeds() throws {
        let output = try Self.gen(["--strategies", "predict,cot"], try Self.specRecord("invoice_total"))
        #expect(output.status == 0, "\(output.stderr)")
        let records = try Self.records(output)
        #expect(records.count == 2)
        for record in records {
            #expect(record["kind"] == "candidate")
            #expect(record["origin"] == "seed")
            #expect(record["generation"] == 0)
            let source = try #require(record["source"]?.stringValue)
            #expect(source.contains("class InvoiceTotal(dspy.Module):"))
            let candidate = try Candidate(json: try #require(record.objectValue))
            #expect(record["id"] == .string(candidate.id))
        }
    }

    @Test func rendersCandidatesAndPassesEverythingElse() throws {
        let spec = try Support.exampleSpec("summarize")
        let unrendered = Candidate(spec: spec, genome: Genome(seed: spec)).json
        guard case .object(var rendered) = unrendered else { return }
        rendered["source"] = "print('kept as is')"
        let other = Array(#"{"kind":"scores","z":1,  "a":[1,2]}"#.utf8)
        let input = other + [0x0A] + unrendered.encoded + [0x0A] + JSON.object(rendered).encoded + [0x0A]
        let output = try Self.gen([], input)
        #expect(output.status == 0, "\(output.stderr)")
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == String(decoding: other, as: UTF8.self), "other kinds pass byte for byte")
        let first = try JSON.parse(lines[1])
        #expect(first["source"]?.stringValue?.contains("class SummarizeArticle(dspy.Signature):") == true)
        #expect(lines[2] == JSON.object(rendered).text, "a candidate with source passes unchanged")
    }

    @Test func specThatIsNotOkPassesWithStatus1() throws {
        var spec = try Support.exampleSpec("summarize")
        spec.operations[0].inputs[0].name = "story"  // no longer bound
        let record = spec.record(diagnostics: [Diagnostic("SPEC016", .error, "input 'story' is not bound")])
        let bytes = record.encoded + [0x0A]
        let output = try Self.gen([], bytes)
        #expect(output.status == 1)
        #expect(output.stdout == Data(bytes))
        #expect(output.stderr.hasPrefix("mkspy-gen: -:1: "), "\(output.stderr)")
    }

    @Test func badCandidatePassesWithStatus1() throws {
        let bad = Array(#"{"kind":"candidate","genome":{}}"#.utf8)
        let spec = try Support.exampleSpec("invoice_total")
        var genome = Genome(seed: spec)
        genome.modules["sum_items"]!.strategy = .react  // no tools declared
        let reactless = Candidate(spec: spec, genome: genome).json.encoded
        let output = try Self.gen([], bad + [0x0A] + reactless + [0x0A])
        #expect(output.status == 1)
        #expect(output.stdout == Data(bad + [0x0A] + reactless + [0x0A]))
        #expect(output.stderr.contains("mkspy-gen: -:1: candidate has no \"spec\" object"), "\(output.stderr)")
        #expect(output.stderr.contains("mkspy-gen: -:2: operation 'sum_items' declares no tools"), "\(output.stderr)")
    }

    /// A genome read in part would be rendered as another candidate (demos or descriptions
    /// dropped, the seed's id): demos that are not objects, descriptions that are not text and
    /// a module for no operation are refused, passed through unchanged, with status 1.
    @Test func aGenomeReadOnlyInPartIsRefused() throws {
        let spec = try Support.exampleSpec("invoice_total")
        guard case .object(var seed) = Candidate(spec: spec, genome: Genome(seed: spec)).json else { Issue.record("not an object"); return }
        seed["id"] = nil
        func changed(_ change: (inout JSONObject) -> Void) -> [UInt8] {
            var genome = seed["genome"]!.objectValue!
            change(&genome)
            var record = seed
            record["genome"] = .object(genome)
            return JSON.object(record).encoded + [0x0A]
        }
        func module(_ genome: inout JSONObject, _ edit: (inout JSONObject) -> Void) {
            var m = genome["sum_items"]!.objectValue!
            edit(&m)
            genome["sum_items"] = .object(m)
        }
        let cases = [
            changed { module(&$0) { $0["demos"] = "not a list" } },
            changed { module(&$0) { $0["demos"] = [1, "two", nil] } },
            changed { module(&$0) { $0["fields"] = ["total": 42] } },
            changed { $0["summarize"] = $0["sum_items"] },
        ]
        for bytes in cases {
            let output = try Self.gen([], bytes)
            #expect(output.status == 1 && output.stdout == Data(bytes), "\(output.stderr)")
            #expect(output.stderr.contains("candidate has no valid \"genome\"") || output.stderr.contains("a module 'summarize' for no operation"),
                    "\(output.stderr)")
        }
    }

    @Test func usageErrors() throws {
        #expect(try Self.gen(["--strategies", "fast"], []).status == 2)
        #expect(try Self.gen(["--nope"], []).status == 2)
        let help = try Self.gen(["--help"], [])
        #expect(help.status == 0)
        #expect(String(decoding: help.stdout, as: UTF8.self).hasPrefix("usage: mkspy-gen"))
    }

    /// Two processes (each with its own hash seed) write byte-identical output.
    @Test func renderingIsDeterministicAcrossProcesses() throws {
        var input = [UInt8]()
        for name in Support.exampleNames { input += try Self.specRecord(name) }
        let arguments = ["--strategies", "predict,cot,react", "--async", "--stream"]
        let first = try Self.gen(arguments, input), second = try Self.gen(arguments, input)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout)
        // Rendering an already-seeded candidate again gives the same source and id.
        let records = try Self.records(first)
        for record in records {
            var candidate = try Candidate(json: try #require(record.objectValue))
            let source = candidate.source
            candidate.source = nil
            #expect(try Renderer.render(candidate, options: RenderOptions(async: true, stream: true)) == source)
            #expect(record["id"] == .string(candidate.id))
        }
    }
}
