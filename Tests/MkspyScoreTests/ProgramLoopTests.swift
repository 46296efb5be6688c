import Foundation
import MkspyCore
import Testing

/// A user's own DSPy program through the whole loop, with the built tools and the LM stand-in:
/// the bundled RAG program end to end, and the bad inputs that must cost nothing.
@Suite(.serialized) struct ProgramLoopTests {
    static let products = URL(fileURLWithPath: Fixture.binary).deletingLastPathComponent().path
    static let rag = Fixture.repo + "/share/mkspy/examples/rag_program"
    static let programs = Fixture.repo + "/Tests/MkspySpecTests/Fixtures/programs"
    static let ready = Fixture.python != nil && FileManager.default.isExecutableFile(atPath: products + "/mkspy-evolve")

    /// The environment the tools run in, against `standIn`.
    static func environment(_ standIn: StandIn, _ directory: String) -> [String: String] {
        ["PATH": products + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
         "MKSPY_PYTHON": Fixture.python ?? "", "MKSPY_SHARE": Fixture.repo + "/share/mkspy",
         "MKSPY_LM": "openai/standin", "MKSPY_LM_BASE": standIn.base, "MKSPY_LM_KEY": "standin",
         "DSPY_CACHEDIR": directory + "/dspy-cache"]
    }

    static func shell(_ script: String, _ directory: String, _ standIn: StandIn) throws -> Outcome {
        try run("/bin/sh", ["-c", script], in: directory, environment: environment(standIn, directory), cwd: directory)
    }

    /// spec, gen, check, score, evolve for a few steps, --best; then `RAG(); program.load(...)`
    /// in a plain Python process gives the best candidate's predictions on every val example, and
    /// a reflected child's on the examples it was scored on, with their instructions and demos.
    @Test(.enabled(if: ready, "needs the DSPy runtime and the built tools"), .timeLimit(.minutes(5)))
    func theBundledProgramGoesRoundTheLoopAndLoadsBack() throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let standIn = try StandIn([])
        let data = "--data \(Self.rag)/train.jsonl --data \(Self.rag)/val.jsonl"
        let sets = "--train \(Self.rag)/train.jsonl --val \(Self.rag)/val.jsonl"
        let outcome = try Self.shell("""
            set -e
            mkspy-spec --metric \(Self.rag)/metric.json \(Self.rag)/rag.py > spec.jsonl
            mkspy-gen spec.jsonl > seeds.jsonl
            mkspy-check seeds.jsonl > checked.jsonl
            touch archive.jsonl
            set +e
            while mkspy-evolve -q \(sets) --children 2 --seed 1 --max-calls 70 seeds.jsonl archive.jsonl | tee next.jsonl |
                  mkspy-gen | mkspy-check -q | mkspy-score -q --cache cache \(data) >> archive.jsonl
                  [ $? -le 1 ] && [ -s next.jsonl ]; do :; done
            mkspy-evolve -q --best \(sets) archive.jsonl > best.jsonl
            """, directory, standIn)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let archive = Fixture.records(directory + "/archive.jsonl")
        #expect(archive.count >= 3, "the loop ran a few steps")
        #expect(archive.allSatisfy { $0["origin"]?.stringValue != "structural" }, "no Predict ↔ ChainOfThought change for a user's program")
        #expect(archive.allSatisfy { $0["source"] == .string(String(decoding: readFile(Self.rag + "/rag.py") ?? [], as: UTF8.self)) })
        let best = try #require(Fixture.records(directory + "/best.jsonl").first)
        let child = try #require(archive.first { $0["origin"]?.stringValue == "reflect" && $0["scores"]?.objectValue?.isEmpty == false },
                                 "a reflected child was scored")
        #expect(child["state"]?["generate_query"]?["signature"]?["instructions"] != best["state"]?["generate_query"]?["signature"]?["instructions"]
            || child["state"]?["generate_answer.predict"] != best["state"]?["generate_answer.predict"], "the child's state differs from the seed's")

        // The user's side: their program, the state file, a plain Python process.
        let val = Fixture.records(Self.rag + "/val.jsonl").compactMap(\.objectValue)
        let train = Fixture.records(Self.rag + "/train.jsonl").compactMap(\.objectValue)
        var runs = [JSON]()
        for (i, candidate) in [best, child].enumerated() {
            let path = directory + "/state\(i).json"
            Fixture.write(try #require(candidate["state"]).text, to: path)
            let ids = Set((candidate["scores"]?.objectValue ?? [:]).keys)
            let examples = i == 0 ? val : (train + val).filter { ids.contains($0["id"]?.stringValue ?? "") }
            runs.append(["state": .string(path), "examples": .array(examples.map(JSON.object)), "inputs": ["question"]])
        }
        let job = directory + "/job.json"
        Fixture.write(JSON.object(["program": .string(Self.rag + "/rag.py"), "class": "RAG", "runs": .array(runs),
                                   "lm": ["model": "openai/standin", "api_base": .string(standIn.base), "api_key": "standin"]]).text, to: job)
        let loaded = try run(Fixture.python!, [Fixture.repo + "/Tests/MkspyScoreTests/Fixtures/load_and_run.py", job], in: directory)
        #expect(loaded.status == 0, "\(loaded.stderr.suffix(2000))")
        let answers = try #require(try JSON.parse(Array(loaded.stdout.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8))["runs"]?.arrayValue)
        for (candidate, answer) in zip([best, child], answers) {
            let scores = candidate["scores"]?.objectValue ?? [:]
            let predictions = answer["predictions"]?.objectValue ?? [:]
            #expect(!predictions.isEmpty)
            for (id, prediction) in predictions {
                #expect(prediction == scores[id]?["prediction"], "\(id): load() gave \(prediction.text), mkspy-score recorded \(scores[id]?["prediction"]?.text ?? "nothing")")
            }
            for (name, state) in candidate["state"]?.objectValue ?? [:] where name != "metadata" {
                #expect(answer["instructions"]?[name] == state["signature"]?["instructions"], "\(name)")
                #expect(answer["demos"]?[name] == state["demos"], "\(name)")
            }
        }
        #expect(best["evolve"]?["val"]?["n"] == .int(val.count))
    }

    /// A constructor that needs arguments: without --program-arg the candidate is refused with
    /// what to give, and no LM call is made; with them, it is scored.
    @Test(.enabled(if: ready, "needs the DSPy runtime and the built tools"), .timeLimit(.minutes(3)))
    func constructorArgumentsComeFromProgramArg() throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let standIn = try StandIn([])
        Fixture.write(#"{"id": "a", "text": "The invoice is wrong.", "label": "billing"}"# + "\n", to: directory + "/data.jsonl")
        Fixture.write(#"{"kind": "exact", "field": "label"}"#, to: directory + "/metric.json")
        let prepare = try Self.shell("mkspy-spec -q --metric metric.json \(Self.programs)/needs_args.py | mkspy-gen | mkspy-check -q > checked.jsonl",
                                     directory, standIn)
        #expect(prepare.status == 0, "\(prepare.stderr)")
        let refused = try Self.shell("mkspy-score --cache cache --data data.jsonl checked.jsonl", directory, standIn)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--program-arg"), "\(refused.stderr)")
        let record = try #require(scoredCandidates(refused.stdout).first)
        #expect(record["summary"]?["ok"] == false)
        #expect(record["summary"]?["diagnostics"]?.arrayValue?.first?["rule"] == "SCORE005")
        #expect(record["scores"]?.objectValue?.isEmpty ?? true, "nothing was scored")
        #expect(standIn.stats()["calls"] == 0, "nothing was paid")

        let scored = try Self.shell(#"mkspy-score --cache cache --data data.jsonl --program-arg 'labels=["billing","bug"]' --program-arg temperature=0 checked.jsonl"#,
                                    directory, standIn)
        #expect(scored.status == 0, "\(scored.stderr)")
        #expect(scoredCandidates(scored.stdout).first?["scores"]?["a"]?["score"]?.doubleValue != nil)
        #expect((standIn.stats()["calls"]?.intValue ?? 0) > 0)
    }

    /// Predictors that differ at run time from what static reading found (it assumes a
    /// condition's first branch runs; with no argument, it does not) are a clear error that costs
    /// nothing.
    @Test(.enabled(if: ready, "needs the DSPy runtime and the built tools"), .timeLimit(.minutes(3)))
    func predictorsThatDifferFromTheSpecAreAnError() throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let standIn = try StandIn([])
        Fixture.write("""
            import dspy


            class Grow(dspy.Module):
                def __init__(self, second=False):
                    super().__init__()
                    self.first = dspy.Predict("text -> label")
                    if second:
                        self.second = dspy.Predict("text -> note")

                def forward(self, text):
                    return self.first(text=text)

            """, to: directory + "/grow.py")
        Fixture.write(#"{"id": "a", "text": "Hello.", "label": "x"}"# + "\n", to: directory + "/data.jsonl")
        let outcome = try Self.shell("""
            mkspy-spec -q grow.py | mkspy-gen | mkspy-check -q |
              mkspy-score --cache cache --metric exact --data data.jsonl
            """, directory, standIn)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("named_predictors() are ['first'], but the spec read ['first', 'second']"), "\(outcome.stderr)")
        #expect(scoredCandidates(outcome.stdout).first?["summary"]?["diagnostics"]?.arrayValue?.first?["rule"] == "SCORE005")
        #expect(standIn.stats()["calls"] == 0)
    }

    /// Files that are not one program, and data that lacks an input of forward: each says what
    /// is wrong, and no LM call is made.
    @Test(.enabled(if: ready, "needs the DSPy runtime and the built tools"), .timeLimit(.minutes(3)))
    func badProgramsAndDataCostNothing() throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let standIn = try StandIn([])
        let data = "--data \(Self.rag)/val.jsonl"
        for (file, message) in [("no_module", "has no dspy.Module subclass with a forward method"),
                                ("two_modules", "name the program with --module"), ("syntax_error", "syntax error")] {
            let outcome = try Self.shell("mkspy-spec --metric \(Self.rag)/metric.json \(Self.programs)/\(file).py | mkspy-gen | mkspy-check -q | mkspy-score --cache cache \(data)",
                                         directory, standIn)
            #expect(outcome.stderr.contains(message), "\(file): \(outcome.stderr)")
            #expect(scoredCandidates(outcome.stdout).isEmpty, "\(file)")
        }
        Fixture.write(#"{"id": "q1", "query": "Who founded Brackenford?", "answer": "Agnes Tolliver"}"# + "\n"
                      + #"{"id": "q2", "question": "Who built the town clock?", "answer": "Silas Cooper"}"# + "\n", to: directory + "/data.jsonl")
        let outcome = try Self.shell("mkspy-spec -q --metric \(Self.rag)/metric.json \(Self.rag)/rag.py | mkspy-gen | mkspy-check -q | mkspy-score --cache cache --data data.jsonl",
                                     directory, standIn)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("data.jsonl:1: example q1 has no input field 'question' (RAG.forward needs it)"), "\(outcome.stderr)")
        let record = try #require(scoredCandidates(outcome.stdout).first)
        #expect(record["scores"]?["q1"]?["score"] == .null && record["scores"]?["q1"]?["error"]?["code"] == "data")
        #expect(record["scores"]?["q2"]?["score"]?.doubleValue != nil)
        #expect(standIn.stats()["calls"] == 2, "only q2 ran: its two predictors")
    }
}
