import MkspyCore
import Testing
@testable import MkspyEvolve

@Suite struct OperatorTests {
    @Test func structuralCyclesStrategies() {
        let spec = Fixture.spec()
        var g = Genome(seed: spec)
        #expect(g.modules["classify"]!.strategy == .predict)
        g = structural(g, spec: spec, module: "classify")!
        #expect(g.modules["classify"]!.strategy == .cot)
        g.modules["classify"]!.demos = [["message": "m", "reasoning": "r", "label": "bug"]]
        g = structural(g, spec: spec, module: "classify")!
        #expect(g.modules["classify"]!.strategy == .predict)
        #expect(g.modules["classify"]!.demos == [["message": "m", "label": "bug"]])  // no reasoning outside cot
        #expect(structural(g, spec: spec, module: "nope") == nil)
    }

    /// A user's program keeps its structure: program.load() cannot turn a Predict into a
    /// ChainOfThought.
    @Test func structuralLeavesAUsersProgramAlone() {
        var spec = Fixture.spec()
        spec.program = ProgramReference(path: "/work/qa.py", className: "QA", sha256: "00")
        #expect(structural(Genome(seed: spec), spec: spec, module: "classify") == nil)
    }

    @Test func structuralReachesReactWhereTheSpecHasTools() {
        let text = #"{"name": "ask", "description": "Answer.", "inputs": {"question": "str"}, "outputs": {"answer": "str"}, "tools": {"lookup": {"module": "wiki_tools", "doc": "Look up a title."}}, "operations": [{"name": "answer_question", "strategy": "react", "tools": ["lookup"], "inputs": {"question": "str"}, "outputs": {"answer": "str"}, "instruction": "Answer."}], "metric": {"kind": "contains", "field": "answer"}}"#
        let spec = Fixture.spec(text)
        var g = Genome(seed: spec)
        var seen = [Strategy]()
        for _ in 0..<3 {
            g = structural(g, spec: spec, module: "answer_question")!
            seen.append(g.modules["answer_question"]!.strategy)
        }
        #expect(seen == [.predict, .cot, .react])
    }

    @Test func bootstrapAddsThenReplacesTheOldestDemo() {
        let g0 = Genome(seed: Fixture.spec())
        var rng = SeededRandom(seed: 1)
        let successes: [JSONObject] = (1...4).map { ["message": .string("m\($0)"), "label": "bug"] }
        var g = g0
        for _ in 0..<3 { g = bootstrap(g, module: "classify", successes: successes, rng: &rng)! }
        #expect(g.modules["classify"]!.demos.count == maxDemos)
        let before = g.modules["classify"]!.demos
        g = bootstrap(g, module: "classify", successes: successes, rng: &rng)!
        #expect(g.modules["classify"]!.demos.count == maxDemos)
        #expect(Array(g.modules["classify"]!.demos.prefix(2)) == Array(before.dropFirst()))
        #expect(bootstrap(g, module: "classify", successes: Array(g.modules["classify"]!.demos), rng: &rng) == nil)
    }

    @Test func bootstrapTakesDemosFromTracesThatScoredOne() {
        let spec = Fixture.spec()
        var g = Genome(seed: spec)
        g.modules["classify"]!.strategy = .cot
        let parent = Candidate(spec: spec, genome: g)
        var record = Fixture.record(parent)
        record["scores"] = [
            "t1": ["score": 1, "trace": [["module": "classify.predict", "inputs": ["message": "refund please"],
                                          "outputs": ["reasoning": "money", "label": "billing"]]]],
            "t2": ["score": 0, "trace": [["module": "classify.predict", "inputs": ["message": "crash"], "outputs": ["label": "other"]]]],
            "v1": ["score": 1, "trace": [["module": "classify.predict", "inputs": ["message": "val"], "outputs": ["label": "bug"]]]],
        ]
        var options = EvolveOptions()
        options.train = ["t1", "t2"]
        options.val = ["v1"]
        let archive = Fixture.archive([record])
        let demos = Evolver(archive: archive, options: options).demos(archive.entries[parent.id]!, module: "classify")
        #expect(demos == [["message": "refund please", "reasoning": "money", "label": "billing"]])  // train only, 1.0 only
    }

    @Test func mergeTakesWhatChangedOnEachSide() {
        let spec = Fixture.spec(Fixture.twoSteps)
        let x = Genome(seed: spec)
        var a = x, b = x
        a.modules["summarize"]!.instruction = "A summarizes better."
        b.modules["classify"]!.instruction = "B classifies better."
        b.modules["classify"]!.strategy = .cot
        let m = merge(ancestor: x, a: a, b: b)!
        #expect(m.modules["summarize"] == a.modules["summarize"])
        #expect(m.modules["classify"] == b.modules["classify"])
        // Both changed classify: nothing of b's is new to a2, so no merge.
        var a2 = a
        a2.modules["classify"]!.instruction = "A2 classifies."
        #expect(merge(ancestor: x, a: a2, b: b) == nil)
        // One side adds nothing the other lacks: no merge.
        #expect(merge(ancestor: x, a: a, b: x) == nil)
    }

    @Test func mergeOfTwoFrontierCandidatesWithACommonAncestor() {
        let spec = Fixture.spec(Fixture.twoSteps)
        let root = Candidate(spec: spec, genome: Genome(seed: spec))
        var ga = root.genome, gb = root.genome
        ga.modules["summarize"]!.instruction = "Summarize the money part."
        gb.modules["classify"]!.instruction = "Classify crashes as bug."
        let a = Candidate(spec: spec, genome: ga, parents: [root.id], origin: "reflect", generation: 1)
        let b = Candidate(spec: spec, genome: gb, parents: [root.id], origin: "reflect", generation: 1)
        var options = EvolveOptions()
        options.val = ["v1", "v2", "v3"]
        options.children = 1
        options.jobs = 1
        let archive = Fixture.archive([
            Fixture.record(root, scores: ["v1": 0, "v2": 0, "v3": 1]),
            Fixture.record(a, scores: ["v1": 1, "v2": 0, "v3": 1]),
            Fixture.record(b, scores: ["v1": 0, "v2": 1, "v3": 1]),
        ])
        let e = Evolver(archive: archive, options: options)
        var rng = SeededRandom(seed: 0)
        var known = Set(archive.entries.keys)
        let merged = e.mergeChild(&rng, &known)!
        #expect(merged["origin"] == "merge")
        #expect(merged["parents"]?.arrayValue?.compactMap(\.stringValue).sorted() == [a.id, b.id].sorted())
        #expect(merged["generation"] == 2)
        #expect(merged["source"] == nil || merged["source"] == .null)
        let g = Genome(json: merged["genome"]!)!
        #expect(g.modules["summarize"]!.instruction == "Summarize the money part.")
        #expect(g.modules["classify"]!.instruction == "Classify crashes as bug.")
        #expect(merged["want"]?.arrayValue?.count == 1)  // the first val stage
        // Tried once, never again.
        #expect(e.mergeChild(&rng, &known) == nil)
    }

    @Test func reflectProposesTheReflectorsInstruction() {
        let spec = Fixture.spec()
        let parent = Fixture.seed(spec)
        var options = EvolveOptions()
        options.train = ["t1", "t2", "t3"]
        options.val = ["v1"]
        options.children = 1
        var scores: [String: Double] = ["v1": 0.5, "t1": 0, "t2": 1, "t3": 0]
        var record = Fixture.record(parent, scores: scores)
        record["evolve"] = ["minibatches": [["t1", "t2", "t3"]]]
        scores = [:]
        var seen = [ReflectionRequest]()
        let reflector: Reflector = { requests in seen = requests; return requests.map { _ in "Route it. Refunds are billing." } }
        // Seeded so that the operator drawn for the one proposal is reflect.
        var found: StepResult?
        for seed in 0..<20 {
            options.seed = UInt64(seed)
            let r = Evolver(archive: Fixture.archive([record]), options: options).step(reflector: reflector)
            if r.records.contains(where: { $0["origin"] == "reflect" }) { found = r; break }
        }
        guard let result = found, let child = result.records.first(where: { $0["origin"] == "reflect" }) else {
            Issue.record("no reflect child in 20 seeds"); return
        }
        #expect(seen.count >= 1)
        #expect(seen[0].module == "classify")
        #expect(seen[0].json["examples"]?.arrayValue?.count == 3)
        #expect(seen[0].json["examples"]?.arrayValue?.first?["feedback"] == "ok")
        #expect(Genome(json: child["genome"]!)!.modules["classify"]!.instruction == "Route it. Refunds are billing.")
        #expect(child["parents"] == .array([.string(parent.id)]))
        #expect(child["generation"] == 1)
        #expect(child["evolve"]?["minibatch"] == ["t1", "t2", "t3"])
        #expect(child["want"] == ["t1", "t2", "t3"])  // no train left for a next minibatch: no climbing
        #expect(child["source"] == nil || child["source"] == .null)
        // The parent is written back with its minibatches done.
        #expect(result.records.contains { $0["id"] == .string(parent.id) && $0["evolve"]?["minibatches"] == [] })
    }

    /// With one child a step a parent is drawn again and again; its children must still edit
    /// each module in turn (a pipeline whose one module is tuned alone may never pass a gate).
    @Test func aParentDrawnAgainEditsTheNextModule() {
        let spec = Fixture.spec(Fixture.twoSteps)
        let seed = Fixture.seed(spec)
        var options = EvolveOptions()
        options.train = ["t1", "t2", "t3"]
        options.val = ["v1"]
        options.children = 1
        let seedRecord = Fixture.record(seed, scores: ["v1": 0.5, "t1": 0, "t2": 0, "t3": 0])
        let before = Evolver(archive: Fixture.archive([seedRecord]), options: options)
        #expect(before.proposal(before.archive.entries[seed.id]!, slot: 0, read: ["t1"]).module == "summarize")
        var genome = seed.genome
        genome.modules["summarize"]!.instruction = "Summarize in one line."
        let rejected = Candidate(spec: spec, genome: genome, parents: [seed.id], origin: "reflect", generation: 1)
        let after = Evolver(archive: Fixture.archive([seedRecord, Fixture.record(rejected, scores: ["t1": 0])]), options: options)
        #expect(after.proposal(after.archive.entries[seed.id]!, slot: 0, read: ["t1"]).module == "classify")
        #expect(after.proposal(after.archive.entries[seed.id]!, slot: 1, read: ["t1"]).module == "summarize")
    }
}
