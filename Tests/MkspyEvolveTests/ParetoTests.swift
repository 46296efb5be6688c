import MkspyCore
import Testing
@testable import MkspyEvolve

@Suite struct ParetoTests {
    @Test func handComputedFrontier() {
        // e0: A B D best; e1: B alone; e2: A alone; e3: C alone. D is in e0 only, where A and B
        // also are: dominated. Weights: A 2 (e0, e2), B 2 (e0, e1), C 1 (e3).
        let f = Frontier(ids: ["A", "B", "C", "D"], scores: [[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]])
        #expect(f.best == [1, 1, 1, 1])
        #expect(f.fronts == [[0, 1, 3], [1], [0], [2]])
        #expect(f.members == [0, 1, 2])
        #expect(f.weights == [2, 2, 1])
    }

    @Test func equalCandidatesKeepTheEarliest() {
        let f = Frontier(ids: ["E", "F", "G"], scores: [[1, 0.5], [1, 0.5], [0, 0.5]])
        #expect(f.members == [0])
        #expect(f.weights == [2])
    }

    @Test func lowerMeanIsRemovedFirst() {
        // X and Y tie on both examples; X has the lower mean only through a third example where
        // Z is best, so Y survives and X goes.
        let f = Frontier(ids: ["X", "Y", "Z"], scores: [[1, 1, 0], [1, 1, 0.5], [0, 0, 1]])
        #expect(f.members == [1, 2])
        #expect(f.weights == [2, 1])
    }

    @Test func samplingFollowsWeights() {
        let f = Frontier(ids: ["A", "B", "C", "D"], scores: [[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]])
        var rng = SeededRandom(seed: 7)
        var counts = [String: Int]()
        for _ in 0..<10_000 { counts[f.sample(&rng)!, default: 0] += 1 }
        #expect(counts["D"] == nil)
        #expect(abs(Double(counts["A"]!) / 10_000 - 0.4) < 0.02)
        #expect(abs(Double(counts["B"]!) / 10_000 - 0.4) < 0.02)
        #expect(abs(Double(counts["C"]!) / 10_000 - 0.2) < 0.02)
    }

    @Test func selectionUsesOnlyFullyEvaluatedCandidates() {
        let spec = Fixture.spec()
        let a = Fixture.seed(spec)
        let b = Fixture.child(of: a, instruction: "Route. rule:x")
        let archive = Fixture.archive([
            Fixture.record(a, scores: ["v1": 1, "v2": 0]),
            Fixture.record(b, scores: ["v2": 1]),  // not run on v1 yet
        ])
        var options = EvolveOptions()
        options.val = ["v1", "v2"]
        let e = Evolver(archive: archive, options: options)
        #expect(e.frontier.ids == [a.id])
        #expect(e.best?.id == a.id)
    }
}
