import MkspyCore
import Testing
@testable import MkspyEvolve

@Suite struct ScheduleTests {
    let val = ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"]

    /// One example scored at a time: val stages are the plain quarter, half and all, and a
    /// seed's val fills no pass (see `theSeedsValFillsIdleSlots` for both with more).
    func options() -> EvolveOptions {
        var o = EvolveOptions()
        o.train = ["t1", "t2", "t3", "t4"]
        o.val = val
        o.jobs = 1
        o.reflectionMinibatch = 3  // the gate: these fixtures are drawn for it
        o.valShare = 1  // the schedule on all of val, also under small budgets (the cut: valIsCut…)
        return o
    }

    func all(_ x: Double) -> [String: Double] { Dictionary(uniqueKeysWithValues: val.map { ($0, x) }) }

    @Test func stagesAreQuarterHalfAll() {
        #expect(stageSizes(8) == [2, 4, 8])
        #expect(stageSizes(10) == [3, 5, 10])
        #expect(stageSizes(2) == [1, 2])
        #expect(stageSizes(1) == [1])
        // In whole rounds of the scorer's concurrency: a smaller stage would take as long.
        #expect(stageSizes(24, jobs: 8) == [8, 16, 24])
        #expect(stageSizes(24, jobs: 4) == [8, 12, 24])
        #expect(stageSizes(8, jobs: 4) == [4, 8])
        #expect(stageSizes(3, jobs: 8) == [3])
    }

    @Test func aSeedRunsOnAllOfVal() {
        let s = Fixture.seed()
        let e = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: options())
        #expect(e.status(e.archive.entries[s.id]!) == .pending(val))
    }

    /// A null score is not yet scored: the example is asked for again. But one mkspy-score
    /// found unusable (code `data`) is left out of val and train, or the loop would never end.
    @Test func nullScoresAreWantedAgainButUnusableExamplesAreDropped() {
        let s = Fixture.seed()
        var record = Fixture.record(s, scores: all(1))
        guard case .object(var scores)? = record["scores"] else { return }
        scores["v2"] = ["score": nil, "feedback": "", "error": ["code": "lm_server", "message": "500"]]
        scores["v3"] = ["score": nil, "feedback": "", "error": ["code": "data", "message": "example v3 has no input field 'message'"]]
        record["scores"] = .object(scores)
        let e = Evolver(archive: Fixture.archive([record]), options: options())
        #expect(e.status(e.archive.entries[s.id]!) == .pending(["v2"]))
        #expect(!e.options.val.contains("v3") && e.options.val.count == 7)
    }

    /// An unusable example already in a stored minibatch is left out of it too: asked for
    /// again, it would fail again, and the step (and the loop) would never move on.
    @Test func anUnusableExampleLeavesTheStoredMinibatches() {
        let s = Fixture.seed()
        var record = Fixture.record(s, scores: all(0.5).merging(["t1": 0, "t2": 0]) { $1 },
                                    extra: ["evolve": ["minibatches": [["t1", "t2", "t3"], ["t3"]]]])
        guard case .object(var scores)? = record["scores"] else { return }
        scores["t3"] = ["score": nil, "feedback": "", "error": ["code": "data", "message": "example t3 has no input field 'message'"]]
        record["scores"] = .object(scores)
        let e = Evolver(archive: Fixture.archive([record]), options: options())
        #expect(e.archive.entries[s.id]!.minibatches == [["t1", "t2"]])
        let step = e.step(reflector: { requests in requests.map { _ in "a new instruction" } })
        #expect(step.records.allSatisfy { !($0.want ?? []).contains("t3") && !($0.evolve?.minibatch ?? []).contains("t3") },
                "\(step.records.map { ($0.origin, $0.want ?? [], $0.evolve?.minibatch ?? []) })")
        #expect(step.records.contains { !$0.parents.isEmpty }, "the seed proposes from its minibatch")
    }

    @Test func aChildMustBeatItsParentOnItsMinibatch() {
        let p = Fixture.seed()
        let tie = Fixture.child(of: p, instruction: "tie")
        let better = Fixture.child(of: p, instruction: "better")
        let waiting = Fixture.child(of: p, instruction: "waiting")
        let batch: JSON = ["evolve": ["minibatch": ["t1", "t2", "t3"]]]
        var parentScores = all(0.5)
        parentScores.merge(["t1": 1, "t2": 0, "t3": 0]) { $1 }
        let archive = Fixture.archive([
            Fixture.record(p, scores: parentScores),
            Fixture.record(tie, scores: ["t1": 0, "t2": 1, "t3": 0], extra: batch.objectValue!),
            Fixture.record(better, scores: ["t1": 1, "t2": 1, "t3": 0], extra: batch.objectValue!),
            Fixture.record(waiting, scores: ["t1": 1], extra: batch.objectValue!),
        ])
        let e = Evolver(archive: archive, options: options())
        guard case .dead = e.status(archive.entries[tie.id]!) else { Issue.record("a tie must not pass"); return }
        #expect(e.status(archive.entries[better.id]!) == .pending(Array(e.valOrder.prefix(2))))
        #expect(e.status(archive.entries[waiting.id]!) == .pending(["t2", "t3"]))
    }

    /// A seed that fails t1 and t2 (its record), and its child (its record: gated on t1, t2, with
    /// t3, t4 as its own minibatch) with `childScores`.
    func chain(childScores: [String: Double]) -> (c: Candidate, parent: JSONObject, child: JSONObject) {
        let p = Fixture.seed()
        let c = Fixture.child(of: p, instruction: "c")
        var parentScores = all(0.5)
        parentScores.merge(["t1": 0, "t2": 0]) { $1 }
        let gate: JSONObject = ["evolve": ["minibatch": ["t1", "t2"], "minibatches": [["t3", "t4"]]]]
        return (c, Fixture.record(p, scores: parentScores), Fixture.record(c, scores: childScores, extra: gate))
    }

    @Test func aWinnerClimbsOnTrainBeforeVal() {
        let (c, parent, climbing) = chain(childScores: ["t1": 1, "t2": 0, "t3": 1, "t4": 0])
        var e = Evolver(archive: Fixture.archive([parent, climbing]), options: options())
        // It beat its parent on t1, t2 and fails t4 of its own minibatch: it proposes, no val yet.
        #expect(e.status(e.archive.entries[c.id]!) == .waiting)
        #expect(e.step(reflector: rulesReflector).records.contains { $0["parents"] == .array([.string(c.id)]) })

        let winner = Fixture.child(of: c, instruction: "w")
        let loser = Fixture.child(of: c, instruction: "l")
        let next: JSONObject = ["evolve": ["minibatch": ["t3", "t4"]]]
        e = Evolver(archive: Fixture.archive([parent, climbing, Fixture.record(winner, scores: ["t3": 1, "t4": 1], extra: next)]),
                    options: options())
        guard case .dead(let verdict) = e.status(e.archive.entries[c.id]!) else { Issue.record("beaten on train"); return }
        #expect(verdict.kind == .beaten && verdict.why.contains("beaten by its own child"))
        #expect(e.status(e.archive.entries[winner.id]!) == .pending(Array(e.valOrder.prefix(2))))

        e = Evolver(archive: Fixture.archive([parent, climbing, Fixture.record(loser, scores: ["t3": 1, "t4": 0], extra: next)]),
                    options: options())
        // Its child did not beat it: the chain ends here and it runs the first val stage.
        #expect(e.status(e.archive.entries[c.id]!) == .pending(Array(e.valOrder.prefix(2))))
    }

    @Test func aWinnerWithNoFailureProbesMoreTrainBeforeVal() {
        var o = options()
        o.train = (1...8).map { "t\($0)" }
        o.minibatch = 2
        o.reflectionMinibatch = 2
        let (c, parent, passing) = chain(childScores: ["t1": 1, "t2": 1, "t3": 1, "t4": 1])
        var e = Evolver(archive: Fixture.archive([parent, passing]), options: o)
        // Its minibatch shows nothing to learn from: it runs a new one, of train it has not run.
        guard case .probing(let batch) = e.status(e.archive.entries[c.id]!) else { Issue.record("expected a probe"); return }
        #expect(batch.count == 2 && Set(batch).isSubset(of: ["t5", "t6", "t7", "t8"]))
        let step = e.step(reflector: rulesReflector)
        let asked = step.records.first { $0["id"] == .string(c.id) }
        #expect(asked?["want"] == .array(batch.map(JSON.string)))
        #expect(asked?["evolve"]?["minibatches"] == .array([.array(batch.map(JSON.string))]))

        // A failure there: it proposes a child. None after `probes` minibatches: val.
        let probed: JSONObject = ["evolve": ["minibatches": [.array(batch.map(JSON.string))]]]
        for (score, expected) in [(0.0, Status.waiting), (1.0, .pending(Array(e.valOrder.prefix(2))))] {
            let archive = Fixture.archive([parent, passing, Fixture.record(c, scores: [batch[0]: score, batch[1]: 1], extra: probed)])
            e = Evolver(archive: archive, options: o)
            #expect(e.status(e.archive.entries[c.id]!) == expected)
        }
        o.probes = 1
        e = Evolver(archive: Fixture.archive([parent, passing]), options: o)
        #expect(e.status(e.archive.entries[c.id]!) == .pending(Array(e.valOrder.prefix(2))))
    }

    @Test func aSeedProposesBeforeItsValIsDone() {
        // One scored at a time: the seed runs its first minibatch alone, and its val waits.
        let s = Fixture.seed()
        var o = options()
        o.children = 1
        var e = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: o)
        let first = e.step(reflector: rulesReflector).records
        #expect(first.count == 1)
        let batch = first[0]["evolve"]?["minibatches"]?.arrayValue?.first?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(batch.count == 3 && Set(batch).isSubset(of: Set(o.train)))
        #expect(first[0]["want"] == .array(batch.map(JSON.string)))
        // Scored, it proposes its first child at once, val or not.
        var scores = [String: Double]()
        for id in batch { scores[id] = 0 }
        let scored = Fixture.record(s, scores: scores, extra: ["evolve": first[0]["evolve"]!])
        e = Evolver(archive: Fixture.archive([scored]), options: o)
        let second = e.step(reflector: rulesReflector).records
        #expect(second.contains { $0["parents"] == .array([.string(s.id)]) })
        #expect(!second.contains { $0["want"]?.arrayValue?.contains { val.contains($0.stringValue ?? "") } == true })
    }

    @Test func theSeedsValFillsIdleSlots() {
        // Four scored at once: the seed's minibatch (3) leaves one slot, which its val fills.
        let s = Fixture.seed()
        var o = options()
        o.jobs = 4
        o.children = 1
        var e = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: o)
        var none = true  // no reflection: nothing is written early
        let first = e.step(reflector: rulesReflector) { _ in none = false }.records
        let batch = first[0]["evolve"]?["minibatches"]?.arrayValue?.first?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(none && first.count == 1 && first[0]["want"] == .array((batch + ["v1"]).map(JSON.string)))

        // Scored, it reflects: while the reflection LM runs (one slot), its val takes the other
        // three, written first. Its child wants its gate (3) and a minibatch of its own (1, all
        // train left): 4, no room left.
        var scores: [String: Double] = ["v1": 0]
        for id in batch { scores[id] = 0 }
        let seed = Fixture.record(s, scores: scores, extra: ["evolve": first[0]["evolve"]!])
        e = Evolver(archive: Fixture.archive([seed]), options: o)
        var early = [JSON]()
        let second = e.step(reflector: rulesReflector) { early = $0.map(\.json) }.records.map(\.json)
        #expect(early.count == 1 && early[0]["id"] == .string(s.id) && early[0]["want"] == ["v2", "v3", "v4"])
        #expect(early[0]["evolve"]?["minibatches"] == [])
        #expect(second.count == 2 && second[0] == early[0])
        #expect(second[1]["parents"] == .array([.string(s.id)]) && second[1]["want"]?.arrayValue?.count == 4)

        // A child at its first val stage needs the frontier: the seed's val all runs with it.
        let c = Fixture.child(of: s, instruction: "c", origin: "merge")
        e = Evolver(archive: Fixture.archive([seed, Fixture.record(c)]), options: o)
        let third = e.step(reflector: rulesReflector).records
        #expect(third.first { $0["id"] == .string(c.id) }?["want"] == .array(e.valOrder.prefix(4).map(JSON.string)))
        #expect(third.first { $0["id"] == .string(s.id) }?["want"] == .array(val.dropFirst().map(JSON.string)))
    }

    @Test func aReflectionReadsItsMinibatch() {
        var o = options()
        o.train = (1...12).map { "t\($0)" }
        o.jobs = 8
        o.children = 1
        o.reflectionMinibatch = nil
        // Sixteen by default, whatever -j and --children; at least the gate; as set.
        #expect(o.readSize == 16)
        o.children = 4
        #expect(o.readSize == 16)
        o.minibatch = 20
        #expect(o.readSize == 20)
        o.minibatch = 3
        o.reflectionMinibatch = 4
        #expect(o.readSize == 4)
        // The rest with five, of twelve train examples: room for a child's own minibatch.
        o.reflectionMinibatch = 5
        o.children = 1

        // The seed's first minibatch is 5 train examples, run with 3 of its val.
        let s = Fixture.seed()
        var e = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: o)
        let first = e.step(reflector: rulesReflector).records
        let read = first[0]["evolve"]?["minibatches"]?.arrayValue?.first?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(read.count == 5 && first[0]["want"]?.arrayValue?.count == 8)

        // It fails the last two it read: its child is gated on the two failures and the first
        // success, with five of its own to run in the same round.
        var scores = [String: Double]()
        for (i, id) in read.enumerated() { scores[id] = i < 3 ? 1 : 0 }
        let seed = Fixture.record(s, scores: scores, extra: ["evolve": first[0]["evolve"]!])
        e = Evolver(archive: Fixture.archive([seed]), options: o)
        guard let child = e.step(reflector: rulesReflector).records.first(where: { $0["parents"] == .array([.string(s.id)]) }) else {
            Issue.record("no child"); return
        }
        let gate = [read[0], read[3], read[4]].sorted()
        #expect(child["evolve"]?["minibatch"] == .array(gate.map(JSON.string)))
        let own = child["evolve"]?["minibatches"]?.arrayValue?.first?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(own.count == 5 && Set(own).isDisjoint(with: gate) && child["want"]?.arrayValue?.count == 8)

        // A winner that fails two of its own five reflects on all five.
        let winner = Fixture.child(of: s, instruction: "w")
        var winning = [String: Double]()
        for id in gate { winning[id] = 1 }
        for (i, id) in own.enumerated() { winning[id] = i < 2 ? 0 : 1 }
        let climbing: JSONObject = ["evolve": ["minibatch": .array(gate.map(JSON.string)), "minibatches": [.array(own.map(JSON.string))]]]
        e = Evolver(archive: Fixture.archive([seed, Fixture.record(winner, scores: winning, extra: climbing)]), options: o)
        var asked = [ReflectionRequest]()
        let next = e.step { requests in asked = requests; return rulesReflector(requests) }.records
        #expect(asked.count == 1 && asked[0].json["examples"]?.arrayValue?.count == 5)
        let grandchild = next.first { $0["parents"] == .array([.string(winner.id)]) }
        #expect(grandchild?["evolve"]?["minibatch"] == .array([own[0], own[1], own[2]].sorted().map(JSON.string)))

        // One with no failure in its own five probes a minibatch of the gate's size, once.
        for id in own { winning[id] = 1 }
        e = Evolver(archive: Fixture.archive([seed, Fixture.record(winner, scores: winning, extra: climbing)]), options: o)
        guard case .probing(let probe) = e.status(e.archive.entries[winner.id]!) else { Issue.record("expected a probe"); return }
        #expect(probe.count == 3 && Set(probe).isDisjoint(with: gate + own))
        for id in probe { winning[id] = 1 }
        let probed: JSONObject = ["evolve": ["minibatch": .array(gate.map(JSON.string)), "minibatches": [.array(probe.map(JSON.string))]]]
        e = Evolver(archive: Fixture.archive([seed, Fixture.record(winner, scores: winning, extra: probed)]), options: o)
        #expect(e.status(e.archive.entries[winner.id]!) == .pending(Array(e.valOrder.prefix(8))))
    }

    @Test func aParentWithEnoughFailuresReadsThemWithNoPassFirst() {
        var o = options()
        o.train = (1...12).map { "t\($0)" }
        o.reflectionMinibatch = 5
        let s = Fixture.seed()
        var rng = SeededRandom(["test"])
        // Four failures no reflection read (a gate's worth): the minibatch is those, all run.
        var e = Evolver(archive: Fixture.archive([Fixture.record(s, scores: ["t1": 0, "t2": 0, "t3": 0, "t4": 0, "t5": 1])]), options: o)
        #expect(e.minibatches(for: e.archive.entries[s.id]!, count: 1, rng: &rng) == [["t1", "t2", "t3", "t4"]])
        // Two: five examples, the two failures and three it has not run.
        e = Evolver(archive: Fixture.archive([Fixture.record(s, scores: ["t1": 0, "t2": 0, "t5": 1])]), options: o)
        let batch = e.minibatches(for: e.archive.entries[s.id]!, count: 1, rng: &rng)
        #expect(batch.count == 1 && batch[0].count == 5 && Set(["t1", "t2"]).isSubset(of: batch[0]) && !batch[0].contains("t5"))
    }

    @Test func valStagesDropWhatCannotMatter() {
        let p = Fixture.seed()
        let behind = Fixture.child(of: p, instruction: "behind", origin: "merge")
        let ahead = Fixture.child(of: p, instruction: "ahead", origin: "merge")
        let even = Fixture.child(of: p, instruction: "even", origin: "merge")
        let probe = Evolver(archive: Fixture.archive([Fixture.record(p)]), options: options())
        let first = Array(probe.valOrder.prefix(2))
        let archive = Fixture.archive([
            Fixture.record(p, scores: all(0.5)),
            Fixture.record(behind, scores: [first[0]: 0, first[1]: 0]),
            Fixture.record(ahead, scores: [first[0]: 1, first[1]: 0]),
            Fixture.record(even, scores: [first[0]: 0.5, first[1]: 0.5]),
        ])
        let e = Evolver(archive: archive, options: options())
        guard case .dead(let verdict) = e.status(archive.entries[behind.id]!) else { Issue.record("behind must drop"); return }
        #expect(verdict.kind == .dropped && verdict.why.contains("best on 0 of the first 2 val examples, the leader on 2"))
        // Strictly better than the frontier on one example: sure of the frontier, no stage can
        // drop it, so it runs the rest of val at once.
        #expect(e.status(archive.entries[ahead.id]!) == .pending(Array(e.valOrder[2...])))
        // Ties the best on both, as the leader does, and 1.0 on the six left would beat 4: goes on.
        #expect(e.status(archive.entries[even.id]!) == .pending(Array(e.valOrder[2..<4])))
    }

    @Test func aChildBehindTheLeaderDrops() {
        let weak = Fixture.seed(instruction: "weak")
        let leader = Fixture.seed(instruction: "leader")
        let child = Fixture.child(of: weak, instruction: "child", origin: "merge")
        let probe = Evolver(archive: Fixture.archive([Fixture.record(weak)]), options: options())
        let half = Array(probe.valOrder.prefix(4))
        let archive = Fixture.archive([
            Fixture.record(weak, scores: all(0)),
            Fixture.record(leader, scores: all(1)),
            Fixture.record(child, scores: [half[0]: 1, half[1]: 1, half[2]: 1, half[3]: 0]),
        ])
        let e = Evolver(archive: archive, options: options())
        guard case .dead(let verdict) = e.status(archive.entries[child.id]!) else { Issue.record("must drop"); return }
        #expect(verdict.why.contains("best on 3 of the first 4 val examples, the leader on 4"))
    }

    @Test func theUpperBoundDropsAHopelessChild() {
        // On the first half the best scores are 1, 1 (the leader's) and 0.5, 0.5 (another's);
        // the child ties the best twice, as the leader does, but only on the 0.5s: 1 + 4 < 6.
        let other = Fixture.seed(instruction: "other")
        let leader = Fixture.seed(instruction: "leader")
        let child = Fixture.child(of: other, instruction: "child", origin: "merge")
        let order = Evolver(archive: Fixture.archive([Fixture.record(other)]), options: options()).valOrder
        func scores(_ firstHalf: [Double], rest: Double) -> [String: Double] {
            var s = [String: Double]()
            for (i, id) in order.enumerated() { s[id] = i < 4 ? firstHalf[i] : rest }
            return s
        }
        let archive = Fixture.archive([
            Fixture.record(other, scores: scores([0, 0, 0.5, 0.5], rest: 0)),
            Fixture.record(leader, scores: scores([1, 1, 0, 0], rest: 1)),
            Fixture.record(child, scores: [order[0]: 0, order[1]: 0, order[2]: 0.5, order[3]: 0.5]),
        ])
        let e = Evolver(archive: archive, options: options())
        guard case .dead(let verdict) = e.status(archive.entries[child.id]!) else { Issue.record("must drop"); return }
        #expect(verdict.why.contains("cannot reach the leader's val total 6.0 (at most 5.0)"))
    }

    @Test func underABudgetValGoesToTheMostPromisingFirst() {
        // Two candidates ran the first val stage: `strong` beat the frontier there, `weak` tied
        // it. 8 calls are left: enough to complete one of them, not both.
        let s = Fixture.seed()
        let strong = Fixture.child(of: s, instruction: "strong", origin: "merge")
        let weak = Fixture.child(of: s, instruction: "weak", origin: "merge")
        let order = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: options()).valOrder
        var seedScores = all(0.5)
        for id in ["t1", "t2", "t3"] { seedScores[id] = 0 }
        let archive = Fixture.archive([
            Fixture.record(weak, scores: [order[0]: 0.5, order[1]: 0.5]),
            Fixture.record(s, scores: seedScores),
            Fixture.record(strong, scores: [order[0]: 1, order[1]: 1]),
        ])
        var o = options()
        o.maxCalls = archive.metricCalls + 8
        let r = Evolver(archive: archive, options: o).step(reflector: rulesReflector)
        // The strong one runs the rest of val; the weak one waits, and nothing new is proposed
        // with what completing both would need.
        #expect(r.records.map(\.id) == [strong.id])
        #expect(r.records.first?.want == Array(order.dropFirst(2)))
    }

    /// A budget that cannot pay for val a few times over keeps a quarter-budget of val's examples
    /// (the same ones whatever --seed): every stage, gate and best is then on those.
    @Test func valIsCutToWhatTheBudgetPaysFor() {
        let s = Fixture.seed()
        var o = options()
        o.valShare = 0.25
        let full = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: o)
        #expect(full.valCut == nil && full.options.val == val)
        o.maxCalls = 32
        #expect(Evolver(archive: Fixture.archive([Fixture.record(s)]), options: o).valCut == nil)
        o.maxCalls = 12
        let cut = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: o)
        #expect(cut.valCut == 8 && cut.options.val.count == 3 && Set(cut.options.val) == Set(cut.valOrder))
        var reseeded = o
        reseeded.seed = 7
        #expect(Set(Evolver(archive: Fixture.archive([Fixture.record(s)]), options: reseeded).options.val) == Set(cut.options.val))
        guard case .pending(let asked) = cut.status(cut.archive.entries[s.id]!) else { Issue.record("the seed runs val"); return }
        #expect(Set(asked) == Set(cut.valOrder))
        let done = Fixture.archive([Fixture.record(s, scores: Dictionary(uniqueKeysWithValues: cut.valOrder.map { ($0, 0.5) }))])
        #expect(Evolver(archive: done, options: o).best?.id == s.id)
    }

    /// When no candidate ran all of val, --best names the one the val race took farthest: the
    /// most val examples scored, then the higher mean on them.
    @Test func withoutAFullyEvaluatedCandidateTheFarthestInTheValRaceIsBest() {
        let s = Fixture.seed()
        let early = Fixture.child(of: s, instruction: "early")
        let far = Fixture.child(of: s, instruction: "far")
        let order = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: options()).valOrder
        let scores = { (n: Int, x: Double) in Dictionary(uniqueKeysWithValues: order.prefix(n).map { ($0, x) }) }
        let o = options()
        #expect(Evolver(archive: Fixture.archive([Fixture.record(s)]), options: o).farthest == nil)
        var archive = Fixture.archive([Fixture.record(s, scores: scores(4, 0.25)), Fixture.record(early, scores: scores(2, 1)),
                                       Fixture.record(far, scores: scores(4, 0.5))])
        var e = Evolver(archive: archive, options: o)
        #expect(e.best == nil && e.farthest?.entry.id == far.id && Set(e.farthest?.val ?? []) == Set(order.prefix(4)))
        // More examples win over a higher mean on fewer.
        archive = Fixture.archive([Fixture.record(s, scores: scores(4, 0.25)), Fixture.record(early, scores: scores(3, 1))])
        e = Evolver(archive: archive, options: o)
        #expect(e.farthest?.entry.id == s.id && e.farthest?.val.count == 4)
    }

    /// --finalists N: the N best fully evaluated candidates by val, best first (ties as --best
    /// breaks them: the earlier generation); fewer when fewer ran all of val; the farthest in
    /// the val race when none did.
    @Test func finalistsAreTheBestFullyEvaluatedCandidatesInRankOrder() {
        let s = Fixture.seed()
        let (a, b, c) = (Fixture.child(of: s, instruction: "a"), Fixture.child(of: s, instruction: "b"), Fixture.child(of: s, instruction: "c"))
        let grand = Fixture.child(of: Fixture.child(of: s, instruction: "a"), instruction: "a2")
        let o = options()
        let archive = Fixture.archive([Fixture.record(s, scores: all(0.25)), Fixture.record(a, scores: all(0.75)),
                                       Fixture.record(b, scores: all(0.5)), Fixture.record(grand, scores: all(0.75)),
                                       Fixture.record(c, scores: ["v1": 1])])  // c has not run all of val
        let e = Evolver(archive: archive, options: o)
        #expect(e.finalists(3).map(\.entry.id) == [a.id, grand.id, b.id])
        #expect(e.finalists(1).map(\.entry.id) == [e.best?.id])
        #expect(e.finalists(9).map(\.entry.id) == [a.id, grand.id, b.id, s.id])
        #expect(e.finalists(9).allSatisfy { $0.val == o.val })
        let unfinished = Evolver(archive: Fixture.archive([Fixture.record(s, scores: ["v1": 0]), Fixture.record(c, scores: ["v1": 1, "v2": 1])]),
                                 options: o)
        #expect(unfinished.finalists(3).map(\.entry.id) == [c.id])
    }

    @Test func refusedCandidatesAreDead() {
        let s = Fixture.seed()
        let archive = Fixture.archive([Fixture.record(s, extra: ["check": ["ok": false, "diagnostics": []]])])
        guard case .dead = Evolver(archive: archive, options: options()).status(archive.entries[s.id]!) else {
            Issue.record("a refused candidate must not be asked for again"); return
        }
    }

    @Test func budgetAndStoppingRules() {
        let s = Fixture.seed()
        let archive = Fixture.archive([Fixture.record(s, scores: all(0.75))])
        var o = options()
        o.maxCalls = 8
        #expect(Evolver(archive: archive, options: o).stopReason?.contains("budget spent") == true)
        let stopped = Evolver(archive: archive, options: o).step(reflector: rulesReflector)
        #expect(stopped.records.isEmpty && stopped.stop != nil)
        o.maxCalls = 9
        #expect(Evolver(archive: archive, options: o).stopReason == nil)
        o.target = 0.75
        #expect(Evolver(archive: archive, options: o).stopReason?.contains("target") == true)
        o.target = nil
        o.maxCost = 0.008
        #expect(Evolver(archive: archive, options: o).stopReason?.contains("$") == true)
        o.maxCost = nil
        o.maxCalls = nil
        // Patience: 2 generations of 2 children each, settled since the best's val was
        // complete and none better. Children rejected at their gate count (a plateau where
        // no lineage grows deeper); one still on its way does not.
        o.patience = 2
        let gate: JSONObject = ["evolve": ["minibatch": ["t1", "t2", "t3"]]]
        let best = Fixture.record(s, scores: all(0.75).merging(["t1": 0, "t2": 0, "t3": 0]) { $1 })
        let rejected = (1...4).map { Fixture.record(Fixture.child(of: s, instruction: "\($0)"), scores: ["t1": 0, "t2": 0, "t3": 0], extra: gate) }
        let waiting = Fixture.record(Fixture.child(of: s, instruction: "waiting"), scores: ["t1": 1], extra: gate)
        #expect(Evolver(archive: Fixture.archive([best] + rejected.prefix(3) + [waiting]), options: o).stopReason == nil)
        #expect(Evolver(archive: Fixture.archive([best] + rejected), options: o).stopReason?.contains("patience 2") == true)
    }

    @Test func theBudgetCapsWhatAStepAsksFor() {
        let s = Fixture.seed()
        var o = options()
        o.maxCalls = 5
        let r = Evolver(archive: Fixture.archive([Fixture.record(s)]), options: o).step(reflector: rulesReflector)
        #expect(r.records.count == 1)
        #expect(r.records[0]["want"]?.arrayValue?.count == 5)
    }

    @Test func afterADemoOrStrategyChildLostItsGateTheParentReflects() {
        // The seed ran val and its minibatch t1..t3 (failing all); its last child, a bootstrap,
        // lost its gate there. Whatever the seed of the search, the next child is a reflection.
        let s = Fixture.seed()
        var scores = all(0)
        for id in ["t1", "t2", "t3"] { scores[id] = 0 }
        let batch: JSON = ["t1", "t2", "t3"]
        let seed = Fixture.record(s, scores: scores, extra: ["evolve": ["minibatches": [batch]]])
        let lost = Fixture.child(of: s, instruction: s.genome.modules.values.first!.instruction, origin: "bootstrap")
        let lostRecord = Fixture.record(lost, scores: ["t1": 0, "t2": 0, "t3": 0], extra: ["evolve": ["minibatch": batch]])
        var o = options()
        o.children = 1
        var origins = Set<String>()
        let rewrite: Reflector = { requests in requests.map { $0.instruction + " Be precise." } }
        for searchSeed in 0..<20 {
            o.seed = UInt64(searchSeed)
            let r = Evolver(archive: Fixture.archive([seed, lostRecord]), options: o).step(reflector: rewrite)
            for record in r.records where record["parents"] == .array([.string(s.id)]) {
                origins.insert(record["origin"]?.stringValue ?? "")
            }
        }
        #expect(origins == ["reflect"])
    }

    @Test func nearTheBudgetAChildRunsItsGateOnlyOrIsNotReflectedOn() {
        // The seed ran val and its minibatch t1..t3, failing all: a reflection's child wants
        // its gate (3) and a minibatch of its own (1 left of train: t4).
        let s = Fixture.seed()
        var scores = all(0)
        for id in ["t1", "t2", "t3"] { scores[id] = 0 }
        let seed = Fixture.record(s, scores: scores, extra: ["evolve": ["minibatches": [["t1", "t2", "t3"]]]])
        var asked = 0
        let counting: Reflector = { requests in asked += requests.count; return rulesReflector(requests) }
        var o = options()
        o.children = 1
        // With 8 val examples (a first stage of 2): 89 left climbs; 5 left runs the gate and
        // then val (too little for a chain to climb on); 4 left could not run the gate and the
        // first stage, so nothing is proposed.
        for (budget, want, reflections) in [(100, 4, 1), (11 + 3 + 2, 3, 1), (11 + 3 + 1, nil as Int?, 0)] {
            o.maxCalls = budget
            asked = 0
            let r = Evolver(archive: Fixture.archive([seed]), options: o).step(reflector: counting)
            let child = r.records.first { $0["parents"] == .array([.string(s.id)]) }
            #expect(child?["want"]?.arrayValue?.count == want, "budget \(budget)")
            #expect(asked == reflections, "budget \(budget): no reflection is paid for a child that cannot reach val")
        }
    }
}
