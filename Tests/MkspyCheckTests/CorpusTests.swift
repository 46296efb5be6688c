import MkspyCheck
import MkspyCore
import Testing

/// No false errors: the hand-written corpus of DSPy programs (share/mkspy/check-corpus)
/// gives no error-severity finding, even with --strict (where every finding but the
/// naming lint is an error).
@Suite struct CorpusTests {
    @Test func corpusIsLargeEnough() {
        #expect(corpus.count >= 40)
    }

    @Test func noErrorsInTheCorpus() {
        for program in corpus {
            for strict in [false, true] {
                let errors = checkProgram(program.bytes, mode: .file(strict: strict)).filter { $0.severity == .error }
                #expect(errors.isEmpty, "\(program.name) (strict: \(strict)): \(errors.map { "\($0.line ?? 0):\($0.col ?? 0) \($0.rule) \($0.message)" })")
            }
        }
    }

    @Test func theCorpusThroughTheTool() throws {
        try #require(tool("mkspy-check") != nil)
        let run = try shell("mkspy-check --strict share/mkspy/check-corpus/*.py")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines.count == corpus.count)
        for line in run.lines {
            guard case .object(let record) = try JSON.parse(Array(line.utf8)) else { Issue.record("not an object"); continue }
            #expect(record["kind"]?.stringValue == "check")
            #expect(record["file"]?.stringValue?.hasSuffix(".py") == true)
            #expect(record["ok"] == .bool(true))
        }
    }
}
