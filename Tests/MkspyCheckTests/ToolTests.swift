import Foundation
import MkspyCore
import PythonSyntax
import Testing

/// The mkspy-check command line: records in and out, stderr, exit status, --ast.
@Suite struct ToolTests {
    @Test func otherRecordsPassThroughByteForByte() throws {
        try #require(tool("mkspy-check") != nil)
        let input = "{\"kind\":\"spec\",  \"z\": 1,\"a\":[1.50, 2e3]}\n{\"kind\":\"note\",\"text\":\"caf\\u00e9\"}\n"
        let run = try shell("mkspy-check", stdin: Array(input.utf8))
        #expect(run.status == 0)
        #expect(String(decoding: run.stdout, as: UTF8.self) == input)
    }

    @Test func aBadLineBecomesAnErrorRecord() throws {
        try #require(tool("mkspy-check") != nil)
        let run = try shell("mkspy-check", stdin: Array("not json\n".utf8))
        #expect(run.status == 1)
        #expect(run.lines.first?.contains("\"kind\":\"error\"") == true)
    }

    @Test func pyOperandsYieldCheckRecordsAndHumanLines() throws {
        try #require(tool("mkspy-check") != nil)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-check-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.py").path
        _ = FileManager.default.createFile(atPath: bad, contents: Data("import dspy\nqa = dspy.Predict(\"question answer\")\n".utf8))
        let run = try shell("mkspy-check '\(bad)' share/mkspy/check-corpus/01_predict_script.py")
        #expect(run.status == 1)
        #expect(run.lines.count == 2)
        guard case .object(let first) = try JSON.parse(Array(run.lines[0].utf8)) else { Issue.record("not an object"); return }
        #expect(first["kind"] == "check")
        #expect(first["file"]?.stringValue == bad)
        #expect(first["ok"] == .bool(false))
        let d = first["diagnostics"]?.arrayValue?.first
        #expect(d?["rule"] == "DSPY007")
        #expect(d?["line"] == .int(2) && d?["col"] == .int(18) && d?["end_line"] == .int(2) && d?["end_col"] == .int(35))
        #expect(run.lines[1].contains("\"ok\":true"))
        #expect(run.stderr.contains("mkspy-check: \(bad):2:18: error DSPY007 "))
        #expect(run.stderr.contains("mkspy-check: 2 programs checked: 1 error, 0 warnings"))
        let quiet = try shell("mkspy-check -q '\(bad)'")
        #expect(quiet.stderr.isEmpty)
        #expect(quiet.status == 1)
    }

    @Test func strictTurnsWarningsIntoErrors() throws {
        try #require(tool("mkspy-check") != nil)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-check-strict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.py").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("import dspy\nimport os\nos.system('ls')\n".utf8))
        #expect(try shell("mkspy-check -q '\(file)'").status == 0)
        #expect(try shell("mkspy-check -q --strict '\(file)'").status == 1)
    }

    @Test func astPrintsTheParsersJSON() throws {
        try #require(tool("mkspy-check") != nil)
        let path = "share/mkspy/check-corpus/03_class_signature_qa.py"
        let run = try shell("mkspy-check --ast \(path)")
        #expect(run.status == 0)
        let bytes = Array(FileManager.default.contents(atPath: "\(packageRoot)/\(path)")!)
        var expected = astJSON(bytes)
        if expected.last != 0x0A { expected.append(0x0A) }
        #expect(run.stdout == expected)
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-check-ast-\(UUID().uuidString).py").path
        _ = FileManager.default.createFile(atPath: bad, contents: Data("x = (1,\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let failed = try shell("mkspy-check --ast '\(bad)'")
        #expect(failed.status == 1)
        #expect(failed.lines.first?.hasPrefix("{\"error\":") == true)
        #expect(failed.stderr.contains("error PY001"))
        #expect(try shell("mkspy-check --ast").status == 2)
        #expect(try shell("mkspy-check --ast /nonexistent.py").status == 2)
    }

    @Test func usageErrors() throws {
        try #require(tool("mkspy-check") != nil)
        #expect(try shell("mkspy-check --bogus").status == 2)
        #expect(try shell("mkspy-check /nonexistent.py").status == 2)
        let help = try shell("mkspy-check --help")
        #expect(help.status == 0 && String(decoding: help.stdout, as: UTF8.self).hasPrefix("usage: mkspy-check"))
    }

    @Test func candidatesGetACheckAndKeepEverythingElse() throws {
        try #require(tool("mkspy-gen") != nil, "mkspy-gen is not built beside the tests")
        let spec = exampleSpecs.first { $0.contains("invoice_total") }!
        let generated = try shell("mkspy-spec '\(spec)' | mkspy-gen --strategies cot")
        let run = try shell("mkspy-check", stdin: generated.stdout)
        #expect(run.status == 0)
        let n = generated.lines.count
        #expect(run.stderr.hasSuffix("mkspy-check: \(n) program\(n == 1 ? "" : "s") checked: 0 errors, 0 warnings\n"))
        // A broken candidate: the finding names the input, the record's line and the candidate.
        guard case .object(var broken) = try JSON.parse(Array(generated.lines[0].utf8)) else { Issue.record("not an object"); return }
        broken["source"] = .string((broken["source"]?.stringValue ?? "") + "\nimport os\nos.system('ls')\n")
        let failed = try shell("mkspy-check", stdin: Array(JSON.object(broken).encoded) + [0x0A])
        #expect(failed.status == 1)
        let id = String(broken["id"]?.stringValue?.prefix(12) ?? "")
        #expect(failed.stderr.contains("mkspy-check: -:1#\(id):"), "\(failed.stderr)")
        #expect(failed.stderr.contains(": error SEC003 os.system()"))
        for (before, after) in zip(generated.lines, run.lines) {
            guard case .object(var a) = try JSON.parse(Array(after.utf8)), case .object(let b) = try JSON.parse(Array(before.utf8)) else { continue }
            let source = b["source"]?.stringValue ?? ""
            #expect(a["check"] == ["ok": true, "diagnostics": [], "source_sha256": .string(sourceHash(Array(source.utf8)))])
            a["check"] = nil
            #expect(a == b)
        }
    }
}
