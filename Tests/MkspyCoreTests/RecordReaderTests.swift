import Testing
@testable import MkspyCore

/// What the reader yields for one line, in a form tests compare easily.
enum Read: Equatable {
    case record(line: Int, raw: String)
    case error(line: Int, message: String)
}

func readAll(_ bytes: [UInt8], multiline: Bool = false) throws -> [Result<Record, ReadError>] {
    let file = TempFile(bytes)
    defer { file.remove() }
    guard case .success(let source) = ByteSource.open(file.path) else {
        Issue.record("cannot open \(file.path)")
        return []
    }
    #expect(source.name == file.path)
    var reader = RecordReader(source: source, allowMultiline: multiline)
    var results = [Result<Record, ReadError>]()
    while let next = reader.next() { results.append(next) }
    return results
}

func summary(_ results: [Result<Record, ReadError>]) -> [Read] {
    results.map {
        switch $0 {
        case .success(let r): .record(line: r.location.line, raw: String(decoding: r.raw, as: UTF8.self))
        case .failure(let e): .error(line: e.location.line, message: e.message)
        }
    }
}

@Suite("RecordReader over files")
struct RecordReaderTests {
    @Test func linesAreNumberedAndBlankLinesSkipped() throws {
        let text = "{\"a\":1}\n\n{ \"b\" : 2 ,\"a\":0}\n   \t\n{\"c\":3}"
        let results = try readAll(Array(text.utf8))
        #expect(summary(results) == [
            .record(line: 1, raw: #"{"a":1}"#), .record(line: 3, raw: #"{ "b" : 2 ,"a":0}"#), .record(line: 5, raw: #"{"c":3}"#),
        ])
        let second = try results[1].get()
        #expect(second.object.keys == ["b", "a"])
        #expect(second.object["b"] == 2)
    }

    @Test func crlfLineEndingsAreStripped() throws {
        let results = try readAll(Array("{\"a\":1}\r\n\r\n{\"kind\":\"x\"}\r\n".utf8))
        #expect(summary(results) == [.record(line: 1, raw: #"{"a":1}"#), .record(line: 3, raw: #"{"kind":"x"}"#)])
        #expect(try results[1].get().kind == "x")
        #expect(try results[0].get().kind == nil)
    }

    @Test func invalidUTF8IsAnErrorWithItsLine() throws {
        var bytes = Array("{\"a\":1}\n{\"b\":\"".utf8) + [0xFF, 0xFE] + Array("\"}\n{\"c\":3}\n".utf8)
        let results = try readAll(bytes)
        let s = summary(results)
        #expect(s.count == 3)
        #expect(s[0] == .record(line: 1, raw: #"{"a":1}"#))
        guard case .error(let line, let message) = s[1] else { Issue.record("no error: \(s)"); return }
        #expect(line == 2)
        #expect(message.contains("invalid UTF-8"))
        #expect(s[2] == .record(line: 3, raw: #"{"c":3}"#))
        if case .failure(let e) = results[1] {
            #expect(e.text.contains("\u{FFFD}"))
            #expect(e.location == Location(input: e.location.input, line: 2))
        }
        // An overlong encoding and an encoded surrogate are invalid too.
        bytes = Array("{\"a\":\"".utf8) + [0xC0, 0xAF] + Array("\"}\n{\"a\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8)
        #expect(try readAll(bytes).allSatisfy { if case .failure(let e) = $0 { e.message.contains("invalid UTF-8") } else { false } })
    }

    @Test func byteOrderMarkOpeningTheInputIsDropped() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let lines = try readAll(bom + Array("{\"a\":1}\n{\"b\":2}\n".utf8))
        #expect(summary(lines) == [.record(line: 1, raw: #"{"a":1}"#), .record(line: 2, raw: #"{"b":2}"#)])
        let pretty = try readAll(bom + Array("{\n  \"a\": 1\n}\n".utf8), multiline: true)
        #expect(summary(pretty) == [.record(line: 1, raw: #"{"a":1}"#)])
        #expect(try readAll(bom).isEmpty)
        // Only the input's first bytes: a mark inside the stream is an error, as in Python; the
        // whole record after it is still read (as after a record cut short).
        let later = summary(try readAll(Array("{\"a\":1}\n".utf8) + bom + Array("{\"b\":2}\n".utf8)))
        #expect(later.count == 3)
        guard case .error(let line, _) = later[1] else { Issue.record("no error: \(later)"); return }
        #expect(line == 2)
        #expect(later.last == .record(line: 2, raw: #"{"b":2}"#))
    }

    @Test func nonObjectLinesAreErrors() throws {
        let results = try readAll(Array("[1,2]\n42\n\"text\"\nnull\n{\"ok\":true}\n".utf8))
        let s = summary(results)
        #expect(s == [
            .error(line: 1, message: "expected a JSON object, got an array"),
            .error(line: 2, message: "expected a JSON object, got a number"),
            .error(line: 3, message: "expected a JSON object, got a string"),
            .error(line: 4, message: "expected a JSON object, got null"),
            .record(line: 5, raw: #"{"ok":true}"#),
        ])
    }

    @Test func truncatedLineIsAnErrorAndReadingGoesOn() throws {
        let results = try readAll(Array("{\"a\":1}\n{\"b\":[1,2\n{\"c\":3}\n".utf8))
        let s = summary(results)
        #expect(s.count == 3)
        guard case .error(2, let message) = s[1] else { Issue.record("no error on line 2: \(s)"); return }
        #expect(message.contains("truncated"))
        #expect(s[2] == .record(line: 3, raw: #"{"c":3}"#))
        if case .failure(let e) = results[1] { #expect(e.text == #"{"b":[1,2"#) }
    }

    @Test func errorRecordHasTheDesignShape() throws {
        let results = try readAll(Array("not json\n".utf8))
        guard case .failure(let e) = try #require(results.first) else { Issue.record("no error"); return }
        let record = e.record(tool: "mkspy-x")
        #expect(record.objectValue?.keys.sorted() == ["input", "kind", "line", "message", "text", "tool"])
        #expect(record["kind"] == "error")
        #expect(record["tool"] == "mkspy-x")
        #expect(record["line"] == 1)
        #expect(record["text"] == "not json")
        #expect(record["input"]?.stringValue?.hasSuffix("input.jsonl") == true)
    }

    @Test func longBadLinesHaveTheirTextCut() throws {
        let line = "{\"a\":" + String(repeating: "é", count: 5000)
        let results = try readAll(Array(line.utf8))
        guard case .failure(let e) = try #require(results.first) else { Issue.record("no error"); return }
        #expect(e.text.unicodeScalars.count == 201)
        #expect(e.text.hasSuffix("…"))
        #expect(e.text.hasPrefix("{\"a\":éé"))
    }

    @Test func tenMegabyteLine() throws {
        let payload = String(repeating: "abcdefghij", count: 1_000_000)
        let line = "{\"kind\":\"blob\",\"payload\":\"\(payload)\"}"
        let results = try readAll(Array((line + "\n{\"after\":1}\n").utf8))
        #expect(results.count == 2)
        let big = try results[0].get()
        #expect(big.raw.count == line.utf8.count)
        #expect(big.object["payload"]?.stringValue?.count == 10_000_000)
        #expect(try results[1].get().location.line == 2)
    }

    @Test func emptyAndBlankInputYieldNothing() throws {
        #expect(try readAll([]).isEmpty)
        #expect(try readAll(Array("\n\n  \r\n\t\n".utf8)).isEmpty)
        #expect(try readAll([], multiline: true).isEmpty)
    }

    @Test func missingFileAndDirectoryCannotBeOpened() throws {
        guard case .failure(let e) = ByteSource.open("/nonexistent/dir/spec.json") else { Issue.record("opened"); return }
        #expect(e.message == "/nonexistent/dir/spec.json: No such file or directory")
        guard case .failure(let d) = ByteSource.open("/tmp") else { Issue.record("opened a directory"); return }
        #expect(d.message == "/tmp: is a directory")
    }

    // MARK: Multiline (pretty-printed specs)

    static let pretty = """
        {
          "name": "qa",
          "description": "a { brace and a \\" quote } in a string",
          "operations": [
            {"name": "respond", "signature": "question -> answer"}
          ]
        }
        """

    @Test func prettyPrintedValueIsOneRecord() throws {
        let results = try readAll(Array(Self.pretty.utf8), multiline: true)
        #expect(results.count == 1)
        let r = try results[0].get()
        #expect(r.location.line == 1)
        #expect(r.object["name"] == "qa")
        #expect(r.object["description"] == "a { brace and a \" quote } in a string")
        #expect(String(decoding: r.raw, as: UTF8.self) == (try JSON.parse(Self.pretty)).text)
    }

    @Test func twoPrettyValuesInARow() throws {
        let second = Self.pretty.replacingOccurrences(of: "\"qa\"", with: "\"qb\"")
        let text = "\n" + Self.pretty + "\n\n" + second + "\n"
        let results = try readAll(Array(text.utf8), multiline: true)
        #expect(results.count == 2)
        #expect(try results[0].get().object["name"] == "qa")
        #expect(try results[0].get().location.line == 2)
        #expect(try results[1].get().object["name"] == "qb")
        #expect(try results[1].get().location.line == 10)
    }

    @Test func brokenPrettyValueIsSkippedAndTheNextComesOut() throws {
        let broken = """
            {
              "name": "broken",
              "flag": tru,
              "list": [1, 2]
            }
            """
        let text = broken + "\n" + Self.pretty + "\n"
        let results = try readAll(Array(text.utf8), multiline: true)
        #expect(results.count == 2)
        guard case .failure(let e) = results[0] else { Issue.record("broken value read"); return }
        #expect(e.location.line == 1)
        #expect(e.message.contains("(line 3)"), "\(e.message)")
        #expect(try results[1].get().object["name"] == "qa")
        #expect(try results[1].get().location.line == 6)
    }

    @Test func prettyValueThatNeverEndsIsTruncated() throws {
        let results = try readAll(Array("{\n  \"name\": \"qa\",\n  \"list\": [1,\n".utf8), multiline: true)
        #expect(results.count == 1)
        guard case .failure(let e) = results[0] else { Issue.record("read"); return }
        #expect(e.message.contains("truncated"))
        #expect(e.location.line == 1)
    }

    /// A value cut short (a pretty spec, or a JSON Lines record that decided the mode) does
    /// not take the values after it along: each one opening with `{` on a line of its own
    /// comes out, with its own line number.
    @Test func valueCutShortLosesNothingAfterIt() throws {
        let lines = "{\"kind\":\"spec\",\"name\":\"cut\n{\"name\":\"a\"}\n{\"kind\":\"note\"}\n"
        #expect(Array(summary(try readAll(Array(lines.utf8), multiline: true)).dropFirst()) ==
                [.record(line: 2, raw: #"{"name":"a"}"#), .record(line: 3, raw: #"{"kind":"note"}"#)])
        let text = "{\n  \"name\": \"cut\",\n  \"list\": [1,\n" + Self.pretty + "\n{\"kind\":\"note\"}\n"
        let results = try readAll(Array(text.utf8), multiline: true)
        #expect(results.count == 3)
        guard case .failure(let e) = results[0] else { Issue.record("read"); return }
        #expect(e.message.contains("truncated") && e.location.line == 1)
        #expect(try results[1].get().object["name"] == "qa")
        #expect(try results[1].get().location.line == 4)
        #expect(try results[2].get().location.line == 11)
    }

    @Test func multilineModeStillReadsJSONLines() throws {
        let results = try readAll(Array("{\"a\":1}\n{\"b\":2}\n[3]\n{\"c\":".utf8), multiline: true)
        #expect(summary(results).count == 4)
        #expect(summary(results)[0] == .record(line: 1, raw: #"{"a":1}"#))
        #expect(summary(results)[1] == .record(line: 2, raw: #"{"b":2}"#))
        guard case .error(3, _) = summary(results)[2] else { Issue.record("\(summary(results))"); return }
        guard case .error(4, let m) = summary(results)[3] else { Issue.record("\(summary(results))"); return }
        #expect(m.contains("truncated"))
    }

    @Test func prettyNonObjectIsAnError() throws {
        let results = try readAll(Array("[\n  1,\n  2\n]\n{\n  \"a\": 1\n}\n".utf8), multiline: true)
        #expect(results.count == 2)
        guard case .failure(let e) = results[0] else { Issue.record("read an array"); return }
        #expect(e.message == "expected a JSON object, got an array")
        #expect(try results[1].get().location.line == 5)
    }
}

/// A crash cuts the archive's last record short; the next `>>` append glues a whole record onto it.
@Suite("RecordReader after a crash")
struct CrashRecoveryTests {
    @Test func aWholeRecordGluedOntoACutOneIsRead() throws {
        let whole = #"{"id":"b","kind":"candidate","source":"x = {1: 2}"}"#
        let text = "{\"id\":\"a\",\"kind\":\"candidate\"}\n{\"id\":\"c\",\"kind\":\"cand" + whole + "\n{\"id\":\"d\"}\n"
        let read = summary(try readAll(Array(text.utf8)))
        #expect(read.count == 4)
        #expect(read[0] == .record(line: 1, raw: #"{"id":"a","kind":"candidate"}"#))
        guard case .error(line: 2, let message) = read[1] else { Issue.record("the cut part should be an error: \(read)"); return }
        #expect(message.contains("not a whole record"))
        #expect(read[2] == .record(line: 2, raw: whole))
        #expect(read[3] == .record(line: 3, raw: #"{"id":"d"}"#))
    }

    /// Cut at every byte of a record that holds braces in its strings, then glued: always the
    /// glued record, never a value made of the two.
    @Test func everyCutPointRecoversTheGluedRecord() throws {
        let first = #"{"kind":"candidate","source":"d = {'a': {1}}\n","scores":{"e1":{"score":1}}}"#
        let glued = #"{"id":"next","kind":"candidate","scores":{"e2":{"score":0.5}}}"#
        for cut in 1..<first.utf8.count {
            let text = Array(first.utf8.prefix(cut)) + Array(glued.utf8) + [0x0A]
            let records = try readAll(text).compactMap { try? $0.get() }
            #expect(records.count == 1 && records.first?.object["id"]?.stringValue == "next", "cut at byte \(cut)")
        }
    }

    @Test func aCutLastLineAloneIsOneError() throws {
        let read = summary(try readAll(Array("{\"a\":1}\n{\"kind\":\"cand".utf8)))
        #expect(read.count == 2)
        guard case .error(line: 2, _) = read[1] else { Issue.record("\(read)"); return }
    }
}
