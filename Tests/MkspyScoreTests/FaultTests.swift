import Foundation
import MkspyCore
import Testing

/// Scores that mean what they say: a provider's fault is never charged to the candidate, an
/// unusable example costs nothing, and every LM call made is counted. The LM stand-in injects
/// the faults on 127.0.0.1.
@Suite(.serialized, .enabled(if: Fixture.python != nil, "needs a Python with dspy (MKSPY_PYTHON)"))
final class FaultTests {
    let directory = Fixture.temporaryDirectory()

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func score(_ standIn: StandIn, _ arguments: [String], cache: String = "cache", environment: [String: String] = [:]) throws -> Outcome {
        try run(Fixture.binary, ["--lm", "openai/standin", "--lm-base", standIn.base, "--lm-key", "sk-test-SECRET-1234",
                                 "--cache", directory + "/" + cache, "-q"] + arguments, in: directory, environment: environment)
    }

    /// Each kind of provider fault leaves every example unscored (null), with the code that
    /// says which fault, in want, after the retries; the rerun, the fault gone, completes them.
    @Test(arguments: [("html", "lm_malformed"), ("cut", "lm_malformed"), ("500", "lm_server"), ("429", "lm_rate_limit"),
                      ("stall", "lm_timeout"), ("timeout", "lm_timeout"), ("empty", "lm_malformed")])
    func aProviderFaultIsNullAndWantedThenCompleted(fault: String, code: String) throws {
        Fixture.write(Fixture.examples(3), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl", "--fail-rate", "1", "--fail-mix", fault, "--hang-seconds", "3"])
        let first = try score(standIn, ["--data", directory + "/data.jsonl", "--lm-timeout", "1", "--retries", "1",
                                        "--log", directory + "/calls.jsonl", directory + "/candidates.jsonl"])
        #expect(first.status == 3, "no call succeeded: \(first.stderr)")
        #expect(first.stderr.contains(code), "\(first.stderr)")
        let record = try #require(scoredCandidates(first.stdout).first)
        #expect(Set(record["want"]?.arrayValue?.compactMap(\.stringValue) ?? []) == ["ex-0", "ex-1", "ex-2"])
        for id in ["ex-0", "ex-1", "ex-2"] {
            let entry = try #require(record["scores"]?[id])
            #expect(entry["score"] == .null, "\(id): \(entry.text)")
            #expect(entry["error"]?["code"]?.stringValue == code, "\(id): \(entry.text)")
            #expect(entry["usage"]?["lm_calls"] == 2, "one call and one retry: \(entry.text)")
        }
        let sent = standIn.stats()["calls"]?.intValue ?? -1
        #expect(sent == 6)
        #expect(record["usage"]?["lm_calls"]?.intValue == sent)
        #expect(Fixture.records(directory + "/calls.jsonl").count == sent)

        standIn.control(["fail_rate": 0])
        Fixture.write(first.stdout, to: directory + "/scored.jsonl")
        let rerun = try score(standIn, ["--data", directory + "/data.jsonl", directory + "/scored.jsonl"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let done = try #require(scoredCandidates(rerun.stdout).first)
        #expect(done["want"] == nil)
        #expect(done["summary"]?["mean"]?.doubleValue == 1)
        #expect(done["summary"]?["errors"] == 0)
        // The failed attempts were paid: each entry keeps them, as does the record's usage.
        // (An empty reply is cached by DSPy: the rerun's first attempt replays it, free.)
        let billed = { (usage: JSON?) in (usage?["lm_calls"]?.intValue ?? 0) - (usage?["cached_calls"]?.intValue ?? 0) }
        for id in ["ex-0", "ex-1", "ex-2"] {
            let usage = done["scores"]?[id]?["usage"]
            #expect(billed(usage) == 3 && (usage?["failed_calls"]?.intValue ?? 0) >= 2, "\(usage?.text ?? "")")
        }
        #expect(billed(done["usage"]) == standIn.stats()["calls"]?.intValue)
    }

    /// At 20% faults of every provider kind, no pair scores otherwise than without faults: each
    /// scores the same, or (its retries spent) is left unscored in want.
    @Test func mixedFaultsNeverChangeAScore() throws {
        // Answers that are wrong for some examples, so that a score of 0 can be right.
        var answers = ""
        for (i, record) in Fixture.records(Fixture.sentiment + "/val.jsonl").enumerated() {
            guard case .object(var o) = record else { continue }
            if i % 3 == 1 { o["sentiment"] = "mixed" }
            answers += JSON.object(o).text + "\n"
        }
        Fixture.write(answers, to: directory + "/answers.jsonl")
        Fixture.write(Fixture.candidates([("a", nil), ("b", nil), ("c", nil)]), to: directory + "/candidates.jsonl")
        let clean = try StandIn(["--answers", directory + "/answers.jsonl"])
        let expected = try score(clean, ["--data", Fixture.sentiment + "/val.jsonl", "-j", "8", directory + "/candidates.jsonl"],
                                 cache: "clean")
        #expect(expected.status == 0, "\(expected.stderr)")

        let faulty = try StandIn(["--answers", directory + "/answers.jsonl", "--fail-rate", "0.2", "--seed", "11",
                                  "--fail-mix", "500,429,timeout,html,cut,stall,slow", "--hang-seconds", "2", "--slow-ms", "100"])
        let outcome = try score(faulty, ["--data", Fixture.sentiment + "/val.jsonl", "-j", "8", "--lm-timeout", "1",
                                         "--log", directory + "/calls.jsonl", directory + "/candidates.jsonl"], cache: "faulty")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let faults = faulty.stats()["by_fault"]?.objectValue ?? [:]
        #expect(faults.count >= 5, "the stand-in injected \(faults)")
        let want = zip(scoredCandidates(expected.stdout), scoredCandidates(outcome.stdout))
        var scored = 0, wrong = 0
        for (reference, candidate) in want {
            let wanted = Set(candidate["want"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            for (id, entry) in candidate["scores"]?.objectValue ?? [:] {
                if let score = entry["score"]?.doubleValue {
                    #expect(score == reference["scores"]?[id]?["score"]?.doubleValue, "\(id): \(entry.text)")
                    #expect(entry["error"] == .null, "\(id): \(entry.text)")
                    scored += 1
                    if score < 1 { wrong += 1 }
                } else {
                    #expect(entry["error"]?["code"]?.stringValue?.hasPrefix("lm_") == true, "\(id): \(entry.text)")
                    #expect(wanted.contains(id))
                }
            }
        }
        #expect(scored >= 30, "the retries should save most examples: \(scored) of 33 scored")
        #expect(wrong > 0, "the wrong answers should score below 1")
        // Every request the stand-in answered is in the log and the usage.
        let sent = faulty.stats()["calls"]?.intValue ?? -1
        #expect(Fixture.records(directory + "/calls.jsonl").count == sent)
        let counted = scoredCandidates(outcome.stdout).compactMap { $0["usage"]?["lm_calls"]?.intValue }.reduce(0, +)
        #expect(counted == sent)
    }

    /// A program that calls its predictor in a thread of its own (a pool, or a plain thread)
    /// calls the LM as its example: each call is counted in usage and --log, and a provider's
    /// failure there is the provider's (null, wanted), not the program's.
    @Test func callsFromAProgramsOwnThreadsAreTheExamples() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        let pool = "from concurrent.futures import ThreadPoolExecutor; result = ThreadPoolExecutor(1).submit(lambda: self.classify_sentiment(review=review)).result()"
        let thread = "import threading; box = []; t = threading.Thread(target=lambda: box.append(self.classify_sentiment(review=review))); t.start(); t.join(); result = box[0]"
        Fixture.write(Fixture.candidates([("pool", pool), ("thread", thread)]), to: directory + "/threads.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let ok = try score(standIn, ["--data", directory + "/data.jsonl", "--log", directory + "/calls.jsonl", directory + "/threads.jsonl"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let records = scoredCandidates(ok.stdout)
        #expect(records.count == 2)
        for record in records {
            #expect(record["summary"]?["mean"]?.doubleValue == 1, "\(record["scores"]?.text ?? "")")
            #expect(record["usage"]?["lm_calls"] == 2, "\(record["usage"]?.text ?? "")")
        }
        #expect(Fixture.records(directory + "/calls.jsonl").count == standIn.stats()["calls"]?.intValue)

        standIn.control(["fail_rate": 1, "fail_mix": "500"])
        let failing = try score(standIn, ["--data", directory + "/data.jsonl", "--retries", "0", directory + "/threads.jsonl"], cache: "cache-failing")
        for record in scoredCandidates(failing.stdout) {
            for id in ["ex-0", "ex-1"] {
                let entry = record["scores"]?[id]
                #expect(entry?["score"] == .null && entry?["error"]?["code"] == "lm_server", "\(entry?.text ?? "")")
            }
        }
    }

    /// A label none of the output's values (data with a mistake in it) can never be matched by
    /// the exact metric: a data error, no LM call; a label the metric normalizes to a value
    /// ("Positive") is scored as usual. A python metric, which may map labels, is given both.
    @Test func aGoldLabelOutsideTheOutputsValuesCostsNothing() throws {
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        Fixture.write(#"{"id": "x1", "review": "Great kettle.", "sentiment": "ecstatic"}"# + "\n"
                      + #"{"id": "x2", "review": "Great kettle.", "sentiment": "Positive"}"# + "\n", to: directory + "/labels.jsonl")
        let standIn = try StandIn([])
        let exact = try score(standIn, ["--data", directory + "/labels.jsonl", "--metric", "exact", directory + "/candidates.jsonl"])
        #expect(exact.status == 1, "\(exact.stderr)")
        #expect(exact.stderr.contains("labels.jsonl:1: example x1 has gold 'sentiment' \"ecstatic\", none of the values it can take (positive, negative, neutral, mixed)"),
                "\(exact.stderr)")
        let record = try #require(scoredCandidates(exact.stdout).first)
        #expect(record["scores"]?["x1"]?["error"]?["code"] == "data" && record["scores"]?["x1"]?["score"] == .null)
        #expect(record["scores"]?["x2"]?["score"]?.doubleValue != nil && record["scores"]?["x2"]?["error"] == .null)
        #expect(standIn.stats()["calls"] == 1, "only x2 was run")
        let python = try score(standIn, ["--data", directory + "/labels.jsonl", directory + "/candidates.jsonl"], cache: "cache-python")
        #expect(python.status == 0, "\(python.stderr)")
        #expect(standIn.stats()["calls"] == 3)
    }

    /// Examples that lack an input field or the metric's gold field, or belong to another task,
    /// cost no LM call: each is an error naming its file, line and field, and the status is 1.
    @Test func unusableExamplesCostNothing() throws {
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn([])
        let datasets = [
            ("no-input", #"{"id": "x1", "sentiment": "positive"}"#, "'review'"),
            ("no-gold", #"{"id": "x1", "review": "Great kettle."}"#, "'sentiment'"),
            ("other-task", #"{"id": "x1", "question": "What is 2 + 2?", "answer": "4"}"#, "'review'"),
            ("null-gold", #"{"id": "x1", "review": "Great kettle.", "sentiment": null}"#, "gold field 'sentiment'"),
        ]
        for (name, line, field) in datasets {
            let path = directory + "/\(name).jsonl"
            Fixture.write(line + "\n" + line.replacingOccurrences(of: "x1", with: "x2") + "\n", to: path)
            let outcome = try score(standIn, ["--data", path, directory + "/candidates.jsonl"])
            #expect(outcome.status == 1, "\(name): \(outcome.stderr)")
            #expect(outcome.stderr.contains("\(path):1: example x1 has no"), "\(name): \(outcome.stderr)")
            #expect(outcome.stderr.contains("\(path):2: example x2 has no"), "\(name): \(outcome.stderr)")
            #expect(outcome.stderr.contains(field), "\(name): \(outcome.stderr)")
            #expect(outcome.stderr.contains("no example was scored"), "every example failed: \(outcome.stderr)")
            let record = try #require(scoredCandidates(outcome.stdout).first)
            #expect(record["scores"]?["x1"]?["error"]?["code"] == "data")
            #expect(record["scores"]?["x1"]?["score"] == .null)
            #expect(record["want"]?.arrayValue?.count == 2)
            #expect(standIn.stats()["calls"] == 0, "\(name): the stand-in was called")
        }
        // A usable example beside an unusable one: only the usable one is paid for.
        Fixture.write(Fixture.examples(1) + datasets[0].1 + "\n", to: directory + "/mixed.jsonl")
        let mixed = try score(standIn, ["--data", directory + "/mixed.jsonl", directory + "/candidates.jsonl"])
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("mixed.jsonl:2: example x1 has no input field 'review'"), "\(mixed.stderr)")
        #expect(standIn.stats()["calls"] == 1)
        #expect(scoredCandidates(mixed.stdout).first?["scores"]?["ex-0"]?["score"] == 1)
    }

    /// A python metric whose file does not exist refuses the candidate before any call; one that
    /// does not load fails no candidate.
    @Test func aMissingMetricFileCostsNothing() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        Fixture.write("{\"kind\": \"python\", \"path\": \"\(directory)/nowhere.py\", \"function\": \"metric\"}", to: directory + "/metric.json")
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn([])
        let outcome = try score(standIn, ["--data", directory + "/data.jsonl", "--metric", directory + "/metric.json",
                                          directory + "/candidates.jsonl"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("nowhere.py does not exist"), "\(outcome.stderr)")
        #expect(scoredCandidates(outcome.stdout).first?["summary"]?["diagnostics"]?.arrayValue?.first?["rule"] == "SCORE003")
        #expect(standIn.stats()["calls"] == 0)

        // One that does not load is the task's failure, not the candidate's: null, and wanted;
        // and, no example scored, the run cannot proceed (3), so that a loop stops.
        Fixture.write("raise ImportError('no such helper')\n", to: directory + "/nowhere.py")
        let broken = try score(standIn, ["--data", directory + "/data.jsonl", "--metric", directory + "/metric.json",
                                         directory + "/candidates.jsonl"])
        #expect(broken.status == 3)
        #expect(broken.stderr.contains("the metric did not load: ImportError: no such helper"), "\(broken.stderr)")
        let record = try #require(scoredCandidates(broken.stdout).first)
        #expect(record["scores"]?["ex-0"]?["error"]?["code"] == "metric")
        #expect(record["scores"]?["ex-0"]?["score"] == .null)
        #expect(record["want"]?.arrayValue?.count == 2)
        #expect(standIn.stats()["calls"] == 0)

        // A --metric is checked as a spec's metric is: a field the program does not output, or
        // a numeric one that is not a number, would pay for every example and score it 0.
        for (metric, why) in [(#"{"kind": "exact", "field": "nope"}"#, "SPEC023 metric field must name a program output: sentiment"),
                              (#"{"kind": "numeric", "field": "sentiment"}"#, "numeric metric field 'sentiment' has type Sentiment, which is not int or float")] {
            Fixture.write(metric, to: directory + "/bad-metric.json")
            let refused = try score(standIn, ["--data", directory + "/data.jsonl", "--metric", directory + "/bad-metric.json",
                                              directory + "/candidates.jsonl"])
            #expect(refused.status == 1 && refused.stderr.contains(why), "\(refused.stderr)")
            #expect(scoredCandidates(refused.stdout).first?["summary"]?["diagnostics"]?.arrayValue?.first?["rule"] == "SCORE003")
            #expect(standIn.stats()["calls"] == 0)
        }
    }

    /// A metric that raises on every example fails none of them for the candidate (null, wanted),
    /// and the run cannot proceed (3): the README's loop stops instead of asking again forever.
    /// With one example it can score, the run goes on.
    @Test func aMetricThatAlwaysRaisesStopsTheRun() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        Fixture.write("{\"kind\": \"python\", \"path\": \"\(directory)/raising.py\", \"function\": \"metric\"}", to: directory + "/metric.json")
        Fixture.write("def metric(gold, pred, trace=None):\n    raise ValueError('gold label ' + gold.sentiment + ' is unknown')\n",
                      to: directory + "/raising.py")
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let arguments = ["--data", directory + "/data.jsonl", "--metric", directory + "/metric.json", directory + "/candidates.jsonl"]
        let outcome = try score(standIn, arguments)
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("every one failed with metric") && outcome.stderr.contains("is unknown"), "\(outcome.stderr)")
        let record = try #require(scoredCandidates(outcome.stdout).first)
        #expect(record["scores"]?["ex-0"]?["score"] == .null && record["scores"]?["ex-0"]?["error"]?["code"] == "metric")
        #expect(record["want"]?.arrayValue?.count == 2)

        Fixture.write("def metric(gold, pred, trace=None):\n    if 'ex 1:' in gold.review:\n        raise ValueError('no')\n    return 1.0\n",
                      to: directory + "/raising.py")
        let partly = try score(standIn, arguments, cache: "cache-partly")
        #expect(partly.status == 0, "\(partly.stderr)")
        let scores = try #require(scoredCandidates(partly.stdout).first?["scores"])
        #expect(scores["ex-0"]?["score"] == 1 && scores["ex-1"]?["error"]?["code"] == "metric")
    }

    /// A python metric's module is the task's code: the scoring session imports it once for all
    /// its candidates' processes (unconfined, each forked process inherits it). One that exits
    /// or hangs while it is imported fails the examples as a metric error, and the session lives.
    @Test(.timeLimit(.minutes(2))) func aPythonMetricIsImportedOncePerSession() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        Fixture.write("{\"kind\": \"python\", \"path\": \"\(directory)/m.py\", \"function\": \"metric\"}", to: directory + "/metric.json")
        // The spec lives here, and the metric imports a module beside it: the spec's directory is
        // first on sys.path when the metric loads, in the session as in a candidate's process.
        Fixture.write(Fixture.candidates([("a", nil), ("b", nil), ("c", nil)]).replacingOccurrences(of: Fixture.sentiment, with: directory),
                      to: directory + "/candidates.jsonl")
        Fixture.write("def same(a, b):\n    return float(a == b)\n", to: directory + "/helper_beside.py")
        Fixture.write("""
            import helper_beside
            open(\(directory.debugDescription) + "/imports.log", "a").write("imported\\n")
            def metric(gold, pred, trace=None):
                return helper_beside.same(gold.sentiment, pred.sentiment)

            """, to: directory + "/m.py")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let arguments = ["--data", directory + "/data.jsonl", "--metric", directory + "/metric.json", "-j", "4", directory + "/candidates.jsonl"]
        let outcome = try score(standIn, arguments, environment: ["MKSPY_SANDBOX": "none"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(scoredCandidates(outcome.stdout).map { $0["scores"]?["ex-1"]?["score"] } == [1, 1, 1])
        #expect(String(decoding: FileManager.default.contents(atPath: directory + "/imports.log") ?? Data(), as: UTF8.self) == "imported\n")

        for body in ["import sys; sys.exit(3)", "import time; time.sleep(60)"] {
            Fixture.write(body + "\n", to: directory + "/m.py")
            let broken = try score(standIn, ["--lm-timeout", "2", "--timeout", "3"] + arguments, cache: "cache-\(body.count)",
                                   environment: ["MKSPY_SANDBOX": "none"])
            #expect(broken.status == 3, "\(body): \(broken.stderr)")
            #expect(broken.stderr.contains("the metric did not load"), "\(body): \(broken.stderr)")
            for record in scoredCandidates(broken.stdout) {
                #expect(record["scores"]?["ex-0"]?["error"]?["code"] == "metric", "\(body): \(JSON.object(record).text)")
                #expect(record["want"]?.arrayValue?.count == 2)
            }
        }
    }

    /// The LM timeout is how long to wait, not what to ask: another --lm-timeout replays the
    /// cache, and no pair is paid twice.
    @Test func anotherLMTimeoutReplaysTheCache() throws {
        Fixture.write(Fixture.examples(3), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let first = try score(standIn, ["--data", directory + "/data.jsonl", "--lm-timeout", "30", directory + "/candidates.jsonl"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try score(standIn, ["--data", directory + "/data.jsonl", "--lm-timeout", "60", directory + "/candidates.jsonl"])
        #expect(scoredCandidates(again.stdout).first?["usage"]?["cached_calls"] == 3)
        #expect(standIn.stats()["calls"] == 3)
    }

    /// Without an API key for the provider the run stops before any call, saying which key.
    @Test func aMissingKeyIsNamed() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn([])
        let outcome = try run(Fixture.binary, ["--lm", "openai/standin", "--lm-base", standIn.base, "--cache", directory + "/cache",
                                               "--data", directory + "/data.jsonl", directory + "/candidates.jsonl"],
                              in: directory, environment: ["OPENAI_API_KEY": "", "MKSPY_LM_KEY": ""])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("no API key for openai: set OPENAI_API_KEY or MKSPY_LM_KEY"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("could not be reached"))
        #expect(standIn.stats()["calls"] == 0)
        #expect(scoredCandidates(outcome.stdout).first?["want"]?.arrayValue?.count == 2)
    }

    /// An example stopped by --timeout counts the calls it made: one that waited on a stalled LM
    /// is the LM's failure (null, wanted); one whose own code ran long is the program's (0).
    @Test func aStoppedExampleCountsItsCalls() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("sleepy", "result = self.classify_sentiment(review=review); import time; time.sleep(30)")]),
                      to: directory + "/sleepy.jsonl")
        Fixture.write(Fixture.candidates([("stalled", nil)]), to: directory + "/stalled.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl", "--hang-seconds", "20"])
        let sleepy = try score(standIn, ["--data", directory + "/data.jsonl", "--timeout", "2", "--log", directory + "/calls.jsonl",
                                         directory + "/sleepy.jsonl"])
        let program = try #require(scoredCandidates(sleepy.stdout).first)
        for id in ["ex-0", "ex-1"] {
            #expect(program["scores"]?[id]?["error"]?["code"] == "timeout", "\(sleepy.stdout)")
            #expect(program["scores"]?[id]?["score"] == 0)
            #expect(program["scores"]?[id]?["usage"]?["lm_calls"] == 1)
        }
        #expect(standIn.stats()["calls"] == 2)
        #expect(Fixture.records(directory + "/calls.jsonl").count == 2)

        standIn.control(["fail_rate": 1, "fail_mix": "stall"])
        let stalled = try score(standIn, ["--data", directory + "/data.jsonl", "--timeout", "2", "--lm-timeout", "60",
                                          "--log", directory + "/calls.jsonl", directory + "/stalled.jsonl"])
        let waiting = try #require(scoredCandidates(stalled.stdout).first)
        for id in ["ex-0", "ex-1"] {
            #expect(waiting["scores"]?[id]?["error"]?["code"] == "lm_timeout", "\(stalled.stdout)")
            #expect(waiting["scores"]?[id]?["score"] == .null)
            #expect(waiting["scores"]?[id]?["usage"]?["lm_calls"] == 1)
        }
        #expect(waiting["want"]?.arrayValue?.count == 2)
        #expect(standIn.stats()["calls"] == 4)
        let calls = Fixture.records(directory + "/calls.jsonl")
        #expect(calls.count == 4)
        #expect(calls.suffix(2).allSatisfy { $0["error_code"] == "lm_timeout" })
    }
}
