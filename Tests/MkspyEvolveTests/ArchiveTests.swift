import MkspyCore
import Testing
@testable import MkspyEvolve

@Suite struct ArchiveTests {
    @Test func recordsOfOneIdMergeTheirScores() {
        let c = Fixture.seed()
        var first = Fixture.record(c, scores: ["v1": 1], extra: ["check": ["ok": true]])
        first["want"] = ["v2"]
        var second = Fixture.record(c, scores: ["v2": 0])
        second["check"] = ["ok": true, "note": "latest"]
        var transient = Fixture.record(c)
        transient["scores"] = ["v3": ["score": nil, "feedback": "not scored (lm_timeout)"]]
        let archive = Fixture.archive([first, second, transient, ["kind": "error", "message": "x"]])
        #expect(archive.entries.count == 1)
        let e = archive.entries[c.id]!
        #expect(e.scores.keys.sorted() == ["v1", "v2", "v3"])
        #expect(e.score("v1") == 1 && e.score("v2") == 0 && e.score("v3") == nil)
        #expect(e.candidate.check == nil)  // the latest record wins: `transient` has no check
        #expect(e.candidate.want == nil)
        #expect(e.scoredAt == ["v1": 1, "v2": 2])  // when each score was paid for, in archive order
        #expect(archive.metricCalls == 2)  // a null score is not a metric call
        #expect(archive.skipped == 1)
        #expect(abs(archive.cost - 0.002) < 1e-9)
        // A record of another kind is skipped with a reason to tell (an error record stands
        // for a line lost upstream).
        var more = archive
        #expect(more.add(["kind": "error", "message": "line 3 is not JSON"]) == "a record of kind 'error', not a candidate: line 3 is not JSON")
        #expect(more.add(["kind": "check"]) == "a record of kind 'check', not a candidate")
    }

    @Test func aScoreIsNeverReplaced() {
        let c = Fixture.seed()
        let archive = Fixture.archive([Fixture.record(c, scores: ["v1": 1]), Fixture.record(c, scores: ["v1": 0])])
        #expect(archive.entries[c.id]!.score("v1") == 1)
    }

    @Test func ancestorsFollowParents() {
        let a = Fixture.seed()
        let b = Fixture.child(of: a, instruction: "b")
        let c = Fixture.child(of: b, instruction: "c")
        let archive = Fixture.archive([a, b, c].map { Fixture.record($0) })
        #expect(archive.ancestors(of: c.id) == [b.id, a.id])
    }

    @Test func bestIsTheHighestMeanOfFullyEvaluated() {
        let a = Fixture.seed()
        let b = Fixture.child(of: a, instruction: "b")
        let c = Fixture.child(of: a, instruction: "c")
        let d = Fixture.child(of: a, instruction: "d")
        let archive = Fixture.archive([
            Fixture.record(a, scores: ["v1": 1, "v2": 0]),
            Fixture.record(b, scores: ["v1": 1, "v2": 1]),
            Fixture.record(c, scores: ["v1": 1, "v2": 1]),  // ties b, read later
            Fixture.record(d, scores: ["v1": 1]),  // higher mean so far, not fully evaluated
        ])
        var options = EvolveOptions()
        options.val = ["v1", "v2"]
        #expect(Evolver(archive: archive, options: options).best?.id == b.id)
    }
}
