import Foundation
import Testing
import MkspyCore

let validSpecLine = #"{"name":"qa","description":"Answer a question.","inputs":{"question":"str"},"outputs":{"answer":"str"},"operations":[{"name":"respond","signature":"question -> answer"}],"metric":{"kind":"exact","field":"answer"}}"#
let invalidSpecLine = #"{"name":"qa","inputs":{"question":"str"},"outputs":{"answer":"str"},"operations":[{"name":"respond","signature":"question -> answer"}],"metric":{"kind":"fuzzy"}}"#

/// Expects a line to be a compact JSON object with sorted keys, and returns it.
@discardableResult
func expectSortedRecord(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
    let value = try JSON.parse(line)
    #expect(value.objectValue != nil, sourceLocation: sourceLocation)
    // The core encoder writes keys sorted and compact; the tool's line must be exactly that.
    #expect(value.text == line, "keys not sorted or not compact", sourceLocation: sourceLocation)
    #expect(!line.contains("\\/"), sourceLocation: sourceLocation)
    return value
}

@Suite("mkspy-spec end to end", .serialized)
struct MkspySpecTests {
    @Test func toolIsFound() throws {
        let path = try #require(toolPath("mkspy-spec"), "mkspy-spec not found beside \(CommandLine.arguments.first ?? "?")")
        #expect(FileManager.default.isExecutableFile(atPath: path))
    }

    @Test func helpGoesToStdoutWithStatus0() throws {
        let s = Scratch(); defer { s.remove() }
        for flag in ["--help", "-h"] {
            let r = try mkspySpec([flag], in: s)
            #expect(r.status == 0)
            #expect(r.out.hasPrefix("usage: mkspy-spec"))
            #expect(r.out.contains("--version"))
            #expect(r.err.isEmpty)
        }
    }

    @Test func versionGoesToStdout() throws {
        let s = Scratch(); defer { s.remove() }
        let r = try mkspySpec(["--version"], in: s)
        #expect(r.status == 0)
        #expect(r.out == "mkspy-spec \(mkspyVersion)\n")
        #expect(r.err.isEmpty)
    }

    @Test func unknownFlagIsAUsageError() throws {
        let s = Scratch(); defer { s.remove() }
        let r = try mkspySpec(["--bogus"], stdin: Array(validSpecLine.utf8), in: s)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.err.contains("mkspy-spec: unknown option '--bogus'"))
    }

    @Test func unreadableFileIsAUsageErrorBeforeAnyOutput() throws {
        let s = Scratch(); defer { s.remove() }
        let good = s.file("good.jsonl", validSpecLine + "\n")
        let missing = s.path("missing.json")
        let r = try mkspySpec([good, missing], in: s)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.errLines == ["mkspy-spec: cannot read \(missing): No such file or directory"])
        let dir = try mkspySpec([s.url.path], in: s)
        #expect(dir.status == 2)
        #expect(dir.err.contains("mkspy-spec: cannot read \(s.url.path): is a directory"))
    }

    @Test func validSpecFromStdin() throws {
        let s = Scratch(); defer { s.remove() }
        let r = try mkspySpec([], stdin: Array((validSpecLine + "\n").utf8), in: s)
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.lines.count == 1)
        let record = try expectSortedRecord(try #require(r.lines.first))
        #expect(record["kind"] == "spec")
        #expect(record["ok"] == true)
        #expect(record["diagnostics"] == [])
        #expect(record["path"] == nil)
        #expect(record["id"]?.stringValue?.count == 16)
        #expect(record["operations"]?.arrayValue?.first?["inputs"] == [["name": "question", "type": "str", "desc": ""]])
    }

    @Test func prettySpecFileOperand() throws {
        let s = Scratch(); defer { s.remove() }
        let pretty = try JSON.parse(validSpecLine)
        let text = "{\n" + (pretty.objectValue!.keys.map { "  \"\($0)\": \(pretty[$0]!.text)" }.joined(separator: ",\n")) + "\n}\n"
        let path = s.file("spec.json", text)
        let r = try mkspySpec([path], in: s)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.lines.count == 1)
        let record = try expectSortedRecord(r.lines[0])
        #expect(record["path"]?.stringValue == absolutePath(path))
        #expect(record["ok"] == true)
        // The same spec read from stdin has the same id.
        let fromStdin = try mkspySpec(["-"], stdin: Array(validSpecLine.utf8), in: s)
        #expect(try parseLine(fromStdin.lines[0])["id"] == record["id"])
    }

    @Test func operandsAreReadInOrderWithDashAsStdin() throws {
        let s = Scratch(); defer { s.remove() }
        let a = s.file("a.jsonl", "{\"kind\":\"note\",\"from\":\"a1\"}\n{\"kind\":\"note\",\"from\":\"a2\"}\n")
        let b = s.file("b.jsonl", "{\"kind\":\"note\", \"from\" : \"b\"}")
        let r = try mkspySpec([b, a, "-", b], stdin: Array("{\"kind\":\"note\",\"from\":\"stdin\"}\n".utf8), in: s)
        #expect(r.status == 0)
        #expect(r.lines == [
            "{\"kind\":\"note\", \"from\" : \"b\"}", "{\"kind\":\"note\",\"from\":\"a1\"}", "{\"kind\":\"note\",\"from\":\"a2\"}",
            "{\"kind\":\"note\",\"from\":\"stdin\"}", "{\"kind\":\"note\", \"from\" : \"b\"}",
        ])
        #expect(r.err.isEmpty)
    }

    @Test func invalidSpecIsDataWithStatus1() throws {
        let s = Scratch(); defer { s.remove() }
        let path = s.file("bad.jsonl", "\n" + invalidSpecLine + "\n")
        let r = try mkspySpec([path], in: s)
        #expect(r.status == 1)
        #expect(r.lines.count == 1)
        let record = try expectSortedRecord(r.lines[0])
        #expect(record["kind"] == "spec")
        #expect(record["ok"] == false)
        let diagnostics = try #require(record["diagnostics"]?.arrayValue)
        #expect(diagnostics.contains { $0["rule"] == "SPEC022" && $0["severity"] == "error" && $0["path"] == ".metric.kind" })
        #expect(r.errLines.contains { $0.hasPrefix("mkspy-spec: \(path):2: error: SPEC022") }, "\(r.err)")
        #expect(r.errLines.allSatisfy { $0.hasPrefix("mkspy-spec: \(path):2: ") }, "\(r.err)")
        let quiet = try mkspySpec(["-q", path], in: s)
        #expect(quiet.status == 1)
        #expect(quiet.err.isEmpty)
        #expect(quiet.stdout == r.stdout)
    }

    @Test func badLinesBecomeErrorRecordsAndEverythingElseFlowsOn() throws {
        let s = Scratch(); defer { s.remove() }
        let note = #"{"kind":"note",  "z": 1, "a" : [1, 2], "url": "a\/b"}"#
        let big = #"{"kind":"blob","payload":""# + String(repeating: "0123456789", count: 1_000_000) + #""}"#
        let hugeBroken = #"{"kind":"blob","payload":""# + String(repeating: "x", count: 10_000_000)
        var bytes = [UInt8]()
        func line(_ text: String) { bytes += Array(text.utf8) + [0x0A] }
        line(note)                                             // 1
        line("")                                               // 2
        bytes += Array(#"{"kind":"note","text":""#.utf8) + [0xFF, 0xC3] + Array("\"}\n".utf8)  // 3
        line("[1,2,3]")                                        // 4
        line(#"{"kind":"note","x":"#)                          // 5
        line(validSpecLine)                                    // 6
        line(big)                                              // 7
        line("   \t")                                          // 8
        line(hugeBroken)                                       // 9
        line(#"{"kind":"error","tool":"mkspy-gen","input":"-","line":3,"message":"m","text":"t"}"#)  // 10
        bytes += Array(#"{"kind":"note","last":"😀 é"}"#.utf8)  // 11, no final newline
        let path = s.file("mixed.jsonl", bytes)
        let r = try mkspySpec([path], in: s)
        #expect(r.status == 1)
        let lines = r.lines
        // 11 input lines: 2 blank, 4 unreadable (error records), 5 records.
        #expect(lines.count == 9)
        guard lines.count == 9 else { return }
        #expect(lines[0] == note)
        #expect(lines[5] == big)
        #expect(lines[7] == #"{"kind":"error","tool":"mkspy-gen","input":"-","line":3,"message":"m","text":"t"}"#)
        #expect(lines[8] == #"{"kind":"note","last":"😀 é"}"#)
        let spec = try expectSortedRecord(lines[4])
        #expect(spec["kind"] == "spec")
        #expect(spec["ok"] == true)

        func errorRecord(_ index: Int, line: Int, _ fragment: String) throws -> JSON {
            let e = try expectSortedRecord(lines[index])
            #expect(e.objectValue?.keys.sorted() == ["input", "kind", "line", "message", "text", "tool"])
            #expect(e["kind"] == "error")
            #expect(e["tool"] == "mkspy-spec")
            #expect(e["input"]?.stringValue == path)
            #expect(e["line"] == .int(line))
            #expect(e["message"]?.stringValue?.contains(fragment) == true, "\(e["message"]?.stringValue ?? "")")
            #expect(r.errLines.contains { $0.hasPrefix("mkspy-spec: \(path):\(line): ") && $0.contains(fragment) }, "\(r.err)")
            return e
        }
        let utf8 = try errorRecord(1, line: 3, "invalid UTF-8")
        #expect(utf8["text"]?.stringValue?.contains("\u{FFFD}") == true)
        #expect(try errorRecord(2, line: 4, "expected a JSON object")["text"] == "[1,2,3]")
        #expect(try errorRecord(3, line: 5, "truncated")["text"] == #"{"kind":"note","x":"#)
        let huge = try errorRecord(6, line: 9, "truncated")
        let text = try #require(huge["text"]?.stringValue)
        #expect(text.hasPrefix(#"{"kind":"blob","payload":"xxx"#))
        #expect(text.hasSuffix("…"))
        #expect(text.unicodeScalars.count < 1000)
        #expect(r.errLines.count == 4, "\(r.err)")
    }

    @Test func emptyInputWritesNothing() throws {
        let s = Scratch(); defer { s.remove() }
        for (arguments, stdin) in [([s.file("empty.jsonl", "")], ""), ([], ""), ([s.file("blank.jsonl", "\n \n\r\n")], ""), (["-"], "\n\n")] {
            let r = try mkspySpec(arguments, stdin: Array(stdin.utf8), in: s)
            #expect(r.status == 0)
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.isEmpty)
        }
    }

    @Test func stdinErrorsNameDash() throws {
        let s = Scratch(); defer { s.remove() }
        let r = try mkspySpec([], stdin: Array((validSpecLine + "\nnot json\n").utf8), in: s)
        #expect(r.status == 1)
        #expect(r.lines.count == 2)
        let e = try parseLine(r.lines[1])
        #expect(e["input"] == "-")
        #expect(e["line"] == 2)
        #expect(r.errLines.first?.hasPrefix("mkspy-spec: -:2: ") == true)
    }

    @Test func specRecordsRevalidateToTheSameBytes() throws {
        let s = Scratch(); defer { s.remove() }
        let examples = try FileManager.default.contentsOfDirectory(atPath: "\(packageRoot)/share/mkspy/examples").sorted()
            .map { "\(packageRoot)/share/mkspy/examples/\($0)/spec.json" }.filter { FileManager.default.fileExists(atPath: $0) }
        let first = try mkspySpec(examples + [s.file("qa.jsonl", validSpecLine)], in: s)
        #expect(first.status == 0, "\(first.err)")
        let second = try mkspySpec([], stdin: first.stdout, in: s)
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out == first.out)
    }

    @Test func invalidSpecRecordStaysInvalidThroughASecondPass() throws {
        let s = Scratch(); defer { s.remove() }
        let bad = validSpecLine.replacingOccurrences(of: #""signature":"question -> answer""#,
                                                     with: #""signature":"question -> answer","strategy":"think""#)
        let first = try mkspySpec([], stdin: Array(bad.utf8), in: s)
        #expect(first.status == 1)
        #expect(try parseLine(first.lines[0])["ok"] == false)
        let second = try mkspySpec(["-q"], stdin: first.stdout, in: s)
        #expect(second.status == 1)
        #expect(try parseLine(second.lines[0])["ok"] == false)
    }

    @Test func twoPrettySpecsInOneFile() throws {
        let s = Scratch(); defer { s.remove() }
        let pretty = """
            {
              "name": "qa",
              "inputs": {"question": "str"},
              "outputs": {"answer": "str"},
              "operations": [
                {"name": "respond", "signature": "question -> answer"}
              ],
              "metric": {"kind": "exact"}
            }
            """
        let broken = pretty.replacingOccurrences(of: #""exact"}"#, with: #""exact"},,"#)
        let path = s.file("specs.json", pretty + "\n" + broken + "\n\n" + pretty.replacingOccurrences(of: "\"qa\"", with: "\"qb\"") + "\n")
        let r = try mkspySpec([path], in: s)
        #expect(r.status == 1)
        #expect(r.lines.count == 3)
        guard r.lines.count == 3 else { return }
        #expect(try parseLine(r.lines[0])["name"] == "qa")
        let e = try parseLine(r.lines[1])
        #expect(e["kind"] == "error")
        #expect(e["line"] == 10)
        #expect(try parseLine(r.lines[2])["name"] == "qb")
        #expect(try parseLine(r.lines[2])["ok"] == true)
        #expect(r.errLines.count == 1)
        #expect(r.errLines.first?.hasPrefix("mkspy-spec: \(path):10: ") == true)
    }

    @Test func operandAfterDoubleDashMayStartWithADash() throws {
        let s = Scratch(); defer { s.remove() }
        _ = s.file("-odd.jsonl", #"{"kind":"note","n":1}"#)
        let r = try mkspySpec(["--", "-odd.jsonl"], in: s)
        #expect(r.status == 0)
        #expect(r.lines == [#"{"kind":"note","n":1}"#])
        let without = try mkspySpec(["-odd.jsonl"], in: s)
        #expect(without.status == 2)
    }

    @Test func failedWriteToStdoutIsAnError() throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
        let s = Scratch(); defer { s.remove() }
        let tool = try #require(toolPath("mkspy-spec"))
        let errPath = s.file("err", "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [s.file("in.jsonl", validSpecLine + "\n")]
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let err = try #require(FileHandle(forWritingAtPath: errPath))
        process.standardOutput = full
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let message = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        #expect(message.contains("cannot write to standard output"), "\(message)")
    }

    @Test func allExamplesValidate() throws {
        let s = Scratch(); defer { s.remove() }
        let root = "\(packageRoot)/share/mkspy/examples"
        let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
            .filter { FileManager.default.fileExists(atPath: "\(root)/\($0)/spec.json") }
        #expect(names == ["contact_extract", "invoice_total", "sentiment_python_metric", "summarize", "support_triage", "wiki_qa"])
        for name in names {
            let path = "\(root)/\(name)/spec.json"
            let r = try mkspySpec([path], in: s)
            #expect(r.status == 0, "\(name): \(r.err)")
            #expect(r.lines.count == 1, "\(name)")
            guard let line = r.lines.first else { continue }
            let record = try expectSortedRecord(line)
            #expect(record["ok"] == true, "\(name): \(record["diagnostics"]?.text ?? "")")
            #expect(record["name"]?.stringValue == name)
            #expect(record["path"]?.stringValue == absolutePath(path))
        }
    }

    @Test func byteOrderMarkOpeningASpecFileOrADatasetIsDropped() throws {
        let s = Scratch(); defer { s.remove() }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let pretty = try JSON.parse(validSpecLine)
        let prettyText = "{\n" + (pretty.objectValue!.keys.map { "  \"\($0)\": \(pretty[$0]!.text)" }.joined(separator: ",\n")) + "\n}\n"
        let specs = [s.file("pretty.json", bom + Array(prettyText.utf8)), s.file("lines.jsonl", bom + Array((validSpecLine + "\n").utf8))]
        let r = try mkspySpec(specs, in: s)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.isEmpty)
        #expect(r.lines.count == 2)
        for line in r.lines { #expect(try parseLine(line)["ok"] == true, "\(line)") }

        // A dataset: mkspy-evolve reads --train and --val before the archive (empty here, status 3).
        let evolve = try #require(toolPath("mkspy-evolve"))
        let data = s.file("val.jsonl", bom + Array(#"{"id":"a","question":"q","answer":"x"}"#.utf8) + [0x0A])
        let train = s.file("train.jsonl", bom + Array(#"{"id":"b","question":"q","answer":"y"}"#.utf8) + [0x0A])
        let e = try run(evolve, ["--train", train, "--val", data], in: s)
        #expect(e.status == 3, "\(e.err)")
        #expect(e.errLines == ["mkspy-evolve: no candidates to evolve: give the archive (scored candidates), or seeds from mkspy-gen"])
    }

    @Test func controlCharactersInNamesAreEscapedOnStderr() throws {
        let s = Scratch(); defer { s.remove() }
        let spec = #"{"name":"qa","inputs":{"question":"str"},"outputs":{"answer":"Bad\nType\u001b[31m"},"operations":[{"name":"respond","signature":"question -> answer"}],"metric":{"kind":"exact","field":"answer"}}"#
        let r = try mkspySpec([], stdin: Array((spec + "\n").utf8), in: s)
        #expect(r.status == 1)
        let diagnostics = try #require(try parseLine(r.lines[0])["diagnostics"]?.arrayValue)
        #expect(!diagnostics.isEmpty)
        // One line per diagnostic, the type name escaped in it, no raw control byte anywhere.
        #expect(r.errLines.count == diagnostics.count, "\(r.err)")
        #expect(r.errLines.allSatisfy { $0.hasPrefix("mkspy-spec: -:1: ") })
        #expect(r.err.contains(#"Bad\nType\u001b[31m"#))
        #expect(!r.stderr.contains { $0 < 0x20 && $0 != 0x0A })
    }

    @Test func closedPipeEndsQuietlyWithStatus0() throws {
        let s = Scratch(); defer { s.remove() }
        var text = ""
        for i in 0..<20_000 {
            text += i % 50 == 0 ? validSpecLine + "\n" : #"{"kind":"note","n":\#(i),"pad":"\#(String(repeating: "p", count: 100))"}"# + "\n"
        }
        let big = s.file("big.jsonl", text)
        let tool = try #require(toolPath("mkspy-spec"))
        let errPath = s.path("tool.err"), statusPath = s.path("tool.status")
        let script = #"{ "$0" "$1" 2>"$2"; echo $? >"$3"; } | head -1"#
        let r = try run("/bin/sh", ["-c", script, tool, big, errPath, statusPath], in: s)
        #expect(r.status == 0)
        #expect(r.lines.count == 1)
        #expect(try parseLine(r.lines[0])["kind"] == "spec")
        #expect(r.stderr.isEmpty)
        let status = String(decoding: FileManager.default.contents(atPath: statusPath) ?? Data(), as: UTF8.self)
        #expect(status == "0\n")
        #expect(FileManager.default.contents(atPath: errPath)?.isEmpty == true,
                "\(String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))")
    }
}
