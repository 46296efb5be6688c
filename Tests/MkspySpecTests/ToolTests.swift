import Foundation
import MkspyCore
import Testing

/// mkspy-spec with program operands, and mkspy-gen on the records it writes, as binaries.
@Suite struct ToolTests {
    static func spec(_ arguments: [String], input: [UInt8] = []) throws -> Support.Output {
        let binary = Support.binary("mkspy-spec")
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build mkspy-spec first: \(binary)")
        return try Support.run([binary] + arguments, input: input)
    }

    static func gen(_ arguments: [String], input: [UInt8]) throws -> Support.Output {
        let binary = Support.binary("mkspy-gen")
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build mkspy-gen first: \(binary)")
        return try Support.run([binary] + arguments, input: input)
    }

    /// A scratch directory holding a copy of a fixture program.
    static func scratch(_ program: String) throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("\(program).py").path
        try Data(try #require(readFile(Support.program(program)))).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    @Test func programOperandWritesOneSortedRecordAndDiagnosticsWithLines() throws {
        let out = try Self.spec([Support.program("undecidable")])
        #expect(out.status == 0)
        let line = String(decoding: out.stdout, as: UTF8.self)
        let record = try JSON.parse(line)
        #expect(record.text + "\n" == line)
        #expect(record["kind"] == "spec" && record["ok"] == true)
        #expect(out.stderr.contains("mkspy-spec: \(Support.program("undecidable")):11: warning: SPEC041 predictors built in a loop"))
    }

    @Test func badProgramsAreRecordsWithStatus1() throws {
        let out = try Self.spec(["-q", Support.program("syntax_error"), Support.program("no_module"), Support.program("rag")])
        #expect(out.status == 1)
        #expect(out.stderr.isEmpty)
        let records = try Support.records(out)
        #expect(records.map { $0["ok"] } == [false, false, true])
        #expect(records[0]["diagnostics"]?.arrayValue?.first?["line"] == 7)
        let loud = try Self.spec([Support.program("syntax_error")])
        #expect(loud.stderr.contains("syntax_error.py:7: error: SPEC040 syntax error: '(' was never closed"))
    }

    @Test func specsAndProgramsMixInOrder() throws {
        let spec = #"{"name":"qa","inputs":{"question":"str"},"outputs":{"answer":"str"},"operations":[{"name":"respond","signature":"question -> answer"}],"metric":{"kind":"exact"}}"#
        let out = try Self.spec(["-q", "-", Support.program("rag")], input: Array((spec + "\n").utf8))
        #expect(out.status == 0)
        let records = try Support.records(out)
        #expect(records.map { $0["name"] } == ["qa", "rag"])
        #expect(records[0]["program"] == nil && records[1]["program"]?["class"] == "RAG")
    }

    @Test func usageErrors() throws {
        let missing = try Self.spec([Support.program("rag"), "/nonexistent/program.py"])
        #expect(missing.status == 2 && missing.stdout.isEmpty)
        #expect(missing.stderr.contains("cannot read /nonexistent/program.py"))
        let moduleAlone = try Self.spec(["--module", "RAG"], input: Array("{}\n".utf8))
        #expect(moduleAlone.status == 2 && moduleAlone.stdout.isEmpty)
        let badMetric = try Self.spec(["--metric", "/nonexistent/metric.json", Support.program("rag")])
        #expect(badMetric.status == 2 && badMetric.stdout.isEmpty)
    }

    /// A python metric whose file is not beside the spec is found by mkspy-spec.
    @Test func pythonMetricFileOfASpecMustExist() throws {
        let (directory, _) = try Self.scratch("rag")
        defer { try? FileManager.default.removeItem(at: directory) }
        let specPath = directory.appendingPathComponent("spec.json").path
        try Data(#"{"name":"qa","inputs":{"question":"str"},"outputs":{"answer":"str"},"operations":[{"name":"respond","signature":"question -> answer"}],"metric":{"kind":"python","path":"metric.py","function":"metric"}}"#.utf8)
            .write(to: URL(fileURLWithPath: specPath))
        let before = try Self.spec([specPath])
        #expect(before.status == 1)
        #expect(before.stderr.contains("error: SPEC022 .metric.path: python metric file \(directory.path)/metric.py does not exist"))
        try Data("def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):\n    return 1.0\n".utf8)
            .write(to: directory.appendingPathComponent("metric.py"))
        #expect(try Self.spec([specPath]).status == 0)
    }

    // MARK: mkspy-gen

    @Test func seedOfAProgramIsItsFileAndItsState() throws {
        let record = try Self.spec(["-q", Support.program("multihop")]).stdout
        let out = try Self.gen(["--strategies", "predict,cot"], input: record)
        #expect(out.status == 0, "\(out.stderr)")
        let candidates = try Support.records(out)
        try #require(candidates.count == 1)  // a program's structure is the user's
        let seed = candidates[0]
        #expect(seed["source"]?.stringValue == String(decoding: try #require(readFile(Support.program("multihop"))), as: UTF8.self))
        let names = (try JSON.parse(record)["predictors"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(seed["genome"]?.objectValue?.keys.sorted() == names.sorted())
        #expect(seed["genome"]?["steps['final'].predict"]?["strategy"] == "cot")
        #expect(seed["state"]?.objectValue?.keys.sorted() == (names + ["metadata"]).sorted())
        #expect(seed["state"]?["metadata"] == ["dependency_versions": ["python": "3.11", "dspy": "3.4.1", "cloudpickle": "3.1"]])
        #expect(seed["state"]?["late"]?["signature"]?["instructions"] == "Given the fields `answer`, produce the fields `critique`.")
        // The same genome gives the same bytes.
        #expect(try Self.gen([], input: record).stdout == out.stdout)
    }

    @Test func programCandidateWithoutStateIsRenderedAndWithStatePasses() throws {
        let record = try Self.spec(["-q", Support.program("strings")]).stdout
        let seedLine = try Self.gen([], input: record).stdout
        guard case .object(var seed) = try JSON.parse(seedLine) else { Issue.record("no candidate"); return }
        #expect(try Self.gen([], input: seedLine).stdout == seedLine)

        guard case .object(var genome)? = seed["genome"], case .object(var summarize)? = genome["summarize"] else { return }
        summarize["instruction"] = "Summarize in five words."
        summarize["demos"] = [["document": "A long text.", "summary": "Short."]]
        genome["summarize"] = .object(summarize)
        seed["genome"] = .object(genome)
        seed["state"] = nil
        seed["source"] = nil
        let out = try Self.gen([], input: JSON.object(seed).encoded + [0x0A])
        #expect(out.status == 0, "\(out.stderr)")
        let rendered = try #require(try Support.records(out).first)
        #expect(rendered["source"] != nil)
        #expect(rendered["state"]?["summarize"]?["signature"]?["instructions"] == "Summarize in five words.")
        #expect(rendered["state"]?["summarize"]?["demos"] == [["document": "A long text.", "summary": "Short."]])
        #expect(rendered["id"] != (try JSON.parse(seedLine))["id"])
    }

    @Test func changedProgramFileIsAnError() throws {
        let (directory, path) = try Self.scratch("rag")
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = try Self.spec(["-q", path]).stdout
        try Data(try #require(readFile(path)) + Array("# edited\n".utf8)).write(to: URL(fileURLWithPath: path))
        let out = try Self.gen([], input: record)
        #expect(out.status == 1)
        #expect(out.stdout == record)  // the spec flows on unchanged
        #expect(out.stderr.contains("the program \(absolutePath(path)) changed since mkspy-spec read it"))
    }

    @Test func predictorWithoutInstructionHasNoState() throws {
        let record = try Self.spec(["-q", Support.program("undecidable")]).stdout
        let out = try Self.gen([], input: record)
        #expect(out.status == 1)
        #expect(out.stderr.contains("predictor 'shared' has no instruction"))
    }
}
