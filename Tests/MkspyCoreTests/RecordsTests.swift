import Foundation
import Testing

@testable import MkspyCore

/// The records that cross a stage read back what they wrote, in the JSON form DESIGN.md gives.
@Suite struct RecordsTests {
    @Test func aScoreEntryRoundTrips() throws {
        let text = #"{"error":{"code":"lm_timeout","message":"slow"},"feedback":"not scored","prediction":null,"score":null,"trace":[{"feedback":"f","inputs":{"q":"x"},"module":"answer.predict","outputs":{"a":"y"},"score":0.5,"signature":"QA"}],"usage":{"cached_calls":0,"cost":null,"failed_calls":1,"latency_ms":12.5,"lm_calls":1,"tokens_in":0,"tokens_out":0}}"#
        let entry = ScoreEntry(json: try JSON.parse(Array(text.utf8)))
        #expect(entry.json.text == text)
        #expect(entry.error?.code == .lmTimeout && entry.error?.code.isTransient == true && !entry.isScored)
        #expect(entry.trace[0].belongs(to: "answer") && !entry.trace[0].belongs(to: "ans"))
        #expect(entry.usage?.failed == 1 && entry.usage?.costKnown == false)
    }

    @Test func anUnknownErrorCodeIsTheProgramsFailure() throws {
        let entry = ScoreEntry(json: try JSON.parse(Array(#"{"score":0,"error":{"code":"from_the_future","message":"m"}}"#.utf8)))
        #expect(entry.error?.code == .program && entry.score == 0)
    }

    @Test func summaryMarksAndCheckRoundTrip() {
        let right = ScoreEntry(score: 1, feedback: ""), wrong = ScoreEntry(score: 0, feedback: "")
        let unscored = ScoreEntry(score: nil, feedback: "", error: ScoreError(.lmTimeout, "slow"))
        let summary = Summary(metric: "exact", run: .init([right, unscored]),
                              data: ["train.jsonl": .init([wrong, wrong]), "val.jsonl": .init([right, unscored])])
        #expect(summary.json.text == #"{"data":{"train.jsonl":{"errors":0,"mean":0,"pending":0,"scored":2},"val.jsonl":{"errors":1,"mean":1,"pending":1,"scored":1}},"errors":1,"mean":1,"metric":"exact","ok":true,"pending":1,"scored":1}"#)
        #expect(Summary(json: summary.json) == summary)
        let refusal = Summary(refusal: Diagnostic("SCORE001", .error, "not checked"))
        #expect(refusal.json.text == #"{"diagnostics":[{"message":"not checked","rule":"SCORE001","severity":"error"}],"ok":false}"#)
        #expect(Summary(json: refusal.json) == refusal)
        let marks = EvolveMarks(minibatch: ["t1"], minibatches: [["t2", "t3"], []])
        #expect(marks.json.text == #"{"minibatch":["t1"],"minibatches":[["t2","t3"],[]]}"#)
        #expect(EvolveMarks(json: marks.json) == marks)
        let check = CheckResult(diagnostics: [Diagnostic("SEC001", .error, "eval", line: 3)], source: Array("eval(x)".utf8))
        #expect(!check.ok && CheckResult(json: check.json) == check)
    }

    @Test func usageAddsUpAndKnowsWhenCostIsKnown() {
        var total = Usage()
        total.add(Usage(json: ["lm_calls": 3, "cached_calls": 1, "tokens_in": 10, "cost": nil]))
        #expect(!total.costKnown && total.billedCalls == 2)
        total.add(Usage(json: ["lm_calls": 1, "cost": .number("0.25")]))
        #expect(total.costKnown && total.cost == 0.25 && total.calls == 4)
    }

    /// Every code the worker writes by name (worker.py's `error("…", …)` calls) is one mkspy
    /// knows, and every exception code comes from mkspy's table, which the worker reads from its
    /// config: the two sides cannot drift apart unnoticed.
    @Test func theWorkersCodesAreMkspys() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let package = repo + "/share/mkspy/worker/mkspy_worker"
        var named = Set<String>()
        for file in ["common.py", "child.py", "scoring.py", "session.py", "server.py", "reflect.py", "cache.py"] {
            let text = String(decoding: readFile(package + "/" + file) ?? [], as: UTF8.self)
            var rest = Substring(text)
            while let start = rest.range(of: #"error(""#) {
                rest = rest[start.upperBound...]
                named.insert(String(rest.prefix { $0 != "\"" }))
            }
        }
        #expect(!named.isEmpty)
        #expect(named.subtracting(ErrorCode.allCases.map(\.rawValue)).isEmpty, "codes the worker writes that mkspy does not know")
        let child = String(decoding: readFile(package + "/child.py") ?? [], as: UTF8.self)
        #expect(!child.contains("LMRateLimitError"), "the exception table is mkspy's (ErrorCode.exceptions), not a copy in the worker")
    }
}
