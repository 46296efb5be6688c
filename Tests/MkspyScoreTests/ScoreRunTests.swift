import Foundation
import MkspyCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// mkspy-score end to end: real DSPy in the worker, the LM stand-in on a local port.
@Suite(.serialized, .enabled(if: Fixture.python != nil, "needs a Python with dspy (MKSPY_PYTHON)"))
final class ScoreRunTests {
    let directory = Fixture.temporaryDirectory()

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func score(_ standIn: StandIn, _ arguments: [String], started: ((Process) -> Void)? = nil) throws -> Outcome {
        try run(Fixture.binary, ["--lm", "openai/standin", "--lm-base", standIn.base, "--lm-key", "sk-test-SECRET-1234",
                                 "--cache", directory + "/cache", "-q"] + arguments, in: directory, started: started)
    }

    /// The same program, data, stand-in and metric give the same per-example scores as dspy.Evaluate.
    @Test func matchesDSPyEvaluate() throws {
        // Answers that are wrong in different ways, so the metric's partial credit shows.
        var answers = ""
        for (i, record) in Fixture.records(Fixture.sentiment + "/val.jsonl").enumerated() {
            guard case .object(var o) = record else { continue }
            if i % 3 == 1 { o["sentiment"] = "mixed" }
            if i % 3 == 2 { o["sentiment"] = "neutral" }
            answers += JSON.object(o).text + "\n"
        }
        Fixture.write(answers, to: directory + "/answers.jsonl")
        Fixture.write(Fixture.candidates([("parity", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/answers.jsonl"])
        let outcome = try score(standIn, ["--data", Fixture.sentiment + "/val.jsonl", "-j", "4", directory + "/candidates.jsonl"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let scores = try #require(scoredCandidates(outcome.stdout).first?["scores"]?.objectValue)

        Fixture.write(Fixture.program, to: directory + "/program.py")
        let reference = try run(Fixture.python!, [
            Fixture.reference, "--program", directory + "/program.py", "--class", "SentimentPythonMetric",
            "--data", Fixture.sentiment + "/val.jsonl", "--inputs", "review",
            "--metric", Fixture.sentiment + "/metric.py:metric", "--lm", "openai/standin", "--lm-base", standIn.base,
            "--threads", "4",
        ], in: directory)
        let expected = try #require(try JSON.parse(Array(reference.stdout.utf8))["scores"]?.objectValue, "\(reference.stderr)")
        #expect(expected.count == 11)
        #expect(Set(expected.keys) == Set(scores.keys))
        for (id, value) in expected {
            #expect(scores[id]?["score"]?.doubleValue == value.doubleValue, "example \(id)")
        }
        #expect(Set(expected.map { $0.value.doubleValue ?? -1 }).count > 1, "the answers should give mixed scores")
        let trace = try #require(scores["sr-101"]?["trace"]?.arrayValue?.first)
        #expect(trace["module"] == "classify_sentiment")
        #expect(trace["feedback"]?.stringValue?.isEmpty == false, "the python metric's feedback for the module")
        #expect(!outcome.stdout.contains("SECRET"))
    }

    /// With 20% of LM calls failing in every way, every example ends with a score or an error.
    @Test func everyExampleSurvivesInjectedFaults() throws {
        Fixture.write(Fixture.examples(24), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("a", nil), ("b", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl", "--fail-rate", "0.2", "--seed", "7",
                                   "--fail-mix", "500,429,timeout,malformed,slow", "--hang-seconds", "3", "--slow-ms", "200"])
        let outcome = try score(standIn, ["--data", directory + "/data.jsonl", "-j", "8", "--lm-arg", "timeout=1",
                                          "--lm-arg", "num_retries=2", "--log", directory + "/calls.jsonl",
                                          directory + "/candidates.jsonl"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let candidates = scoredCandidates(outcome.stdout)
        #expect(candidates.count == 2)
        var scored = 0
        for candidate in candidates {
            let scores = try #require(candidate["scores"]?.objectValue)
            #expect(scores.count == 24)
            for (id, entry) in scores {
                let hasScore = entry["score"]?.doubleValue != nil
                let hasError = entry["error"]?.objectValue?["code"]?.stringValue != nil
                #expect(hasScore || hasError, "example \(id) has neither a score nor an error")
                if hasScore && entry["error"] == .null { scored += 1 }
            }
        }
        let faults = standIn.stats()["by_fault"]?.objectValue ?? [:]
        #expect(faults.count >= 3, "the stand-in injected \(faults)")
        #expect(scored > 30)
        let log = String(decoding: readFile(directory + "/calls.jsonl") ?? [], as: UTF8.self)
        let first = try #require(candidates.first?["id"]?.stringValue)
        #expect(log.contains("\"correlation_id\":\"\(first):"))
        #expect(!log.contains("SECRET"))
        #expect(!outcome.stdout.contains("SECRET"))
    }

    /// The telemetry names a string signature by its text, never by DSPy's class "StringSignature".
    @Test func theLogNamesStringSignaturesByTheirText() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("text", "result = dspy.Predict(\"review -> sentiment\")(review=review)")]),
                      to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let outcome = try score(standIn, ["--data", directory + "/data.jsonl", "--log", directory + "/calls.jsonl", directory + "/candidates.jsonl"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let calls = Fixture.records(directory + "/calls.jsonl")
        #expect(calls.count == 2)
        #expect(calls.allSatisfy { $0["signature"] == "review -> sentiment" }, "\(calls.map { $0["signature"] ?? .null })")
    }

    /// A program that exits, hangs, or eats memory fails its own examples only.
    @Test func brokenProgramsFailOnlyTheirOwnExamples() throws {
        let data = Fixture.records(Fixture.sentiment + "/val.jsonl").prefix(3).map { $0.text + "\n" }.joined()
        Fixture.write(data, to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([
            ("good", nil),
            ("exit", "import os; os._exit(3)"),
            ("loop", "while True: pass"),
            ("memory", "hog = []\n        while True: hog.append(bytearray(10**8))"),
            ("sysexit", "raise SystemExit(2)"),
        ]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let outcome = try score(standIn, ["--data", directory + "/data.jsonl", "-j", "4", "--timeout", "4", "--memory", "200",
                                          directory + "/candidates.jsonl"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let candidates = scoredCandidates(outcome.stdout)
        #expect(candidates.count == 5)
        let expected = [nil, "crash", "timeout", "memory", "exit"]
        for (candidate, code) in zip(candidates, expected) {
            let scores = try #require(candidate["scores"]?.objectValue)
            #expect(scores.count == 3)
            for (_, entry) in scores {
                if let code {
                    #expect(entry["error"]?["code"]?.stringValue == code)
                    #expect(entry["score"]?.doubleValue == 0)
                } else {
                    #expect(entry["error"] == .null)
                    #expect(entry["score"]?.doubleValue == 1)
                }
            }
        }
    }

    /// A program that does not load fails every example with code `load`; the run says so on
    /// stderr, names the candidate, and exits 1, while the others are scored as usual.
    @Test func aProgramThatDoesNotLoadIsReported() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        var lines = Fixture.candidates([("good", nil), ("broken", nil)]).split(separator: "\n").map(String.init)
        guard case .object(var broken) = try JSON.parse(Array(lines[1].utf8)) else { Issue.record("bad fixture"); return }
        let source = "import dspy\nraise RuntimeError('broken at import')\n"
        broken["source"] = .string(source)
        broken["check"] = CheckResult(diagnostics: [], source: Array(source.utf8)).json
        lines[1] = JSON.object(broken).text
        Fixture.write(lines.joined(separator: "\n") + "\n", to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let outcome = try score(standIn, ["--data", directory + "/data.jsonl", "-q", directory + "/candidates.jsonl"])
        #expect(outcome.status == 1)
        let id = try #require(broken["id"]?.stringValue)
        #expect(outcome.stderr.contains("candidate \(id): its program or metric did not load"))
        #expect(outcome.stderr.contains("RuntimeError: broken at import"))
        let candidates = scoredCandidates(outcome.stdout)
        #expect(candidates.count == 2)
        #expect(candidates[0]["summary"]?["mean"]?.doubleValue == 1)
        for (_, entry) in try #require(candidates[1]["scores"]?.objectValue) {
            #expect(entry["error"]?["code"]?.stringValue == "load")
        }
    }

    /// In a pipeline whose upstream is still working: a candidate is scored and written while
    /// the input is open, and the next one is taken when it comes.
    @Test(.timeLimit(.minutes(1))) func scoresWhatCameWhileTheInputIsStillOpen() throws {
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        let lines = Fixture.candidates([("first", nil), ("second", nil)]).split(separator: "\n").map { Data(($0 + "\n").utf8) }
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixture.binary)
        process.arguments = ["--lm", "openai/standin", "--lm-base", standIn.base, "--lm-key", "standin", "--cache", directory + "/cache",
                             "-q", "--data", directory + "/data.jsonl"]
        let input = Pipe(), output = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (input, output, FileHandle.nullDevice)
        try process.run()
        input.fileHandleForWriting.write(lines[0])
        var line = [UInt8]()
        let out = output.fileHandleForReading
        while waitReadable([out.fileDescriptor], timeoutMS: 30_000)[0], let byte = try out.read(upToCount: 1)?.first, byte != 0x0A {
            line.append(byte)
        }
        guard !line.isEmpty else {  // fail, not hang
            Issue.record("nothing written in 30 s while the input was open")
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            return
        }
        #expect(try JSON.parse(line)["summary"]?["scored"]?.intValue == 2, "the first candidate, before the input ends")
        input.fileHandleForWriting.write(lines[1])
        try input.fileHandleForWriting.close()
        let rest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(scoredCandidates(rest).map { $0["summary"]?["scored"]?.intValue } == [2])
    }

    /// Killed mid-run and run again with the same cache: no finished LM call is paid twice.
    @Test func rerunAfterKillReplaysFromTheCache() throws {
        Fixture.write(Fixture.examples(30), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("a", nil), ("b", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl", "--latency-ms", "100"])
        let arguments = ["--data", directory + "/data.jsonl", "-j", "4", directory + "/candidates.jsonl"]
        let killed = try score(standIn, arguments) { process in
            var waited = 0
            while (standIn.stats()["calls"]?.intValue ?? 0) < 20 && waited < 1500 { usleep(20_000); waited += 1 }
            kill(process.processIdentifier, SIGKILL)
        }
        #expect(killed.status != 0)
        usleep(500_000)  // the orphaned worker finishes what it had started
        let before = standIn.stats()["calls"]?.intValue ?? 0
        #expect(before < 60)
        let rerun = try score(standIn, arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let candidates = scoredCandidates(rerun.stdout)
        #expect(candidates.map { $0["summary"]?["scored"]?.intValue } == [30, 30])
        let stats = standIn.stats()
        #expect(stats["answered"]?.intValue == 60)
        #expect((stats["repeated_answers"]?.intValue ?? 99) <= 4, "\(stats.text)")
        let cached = candidates.compactMap { $0["usage"]?["cached_calls"]?.intValue }.reduce(0, +)
        #expect(cached >= before - 4)
    }

    /// A new cache directory gets two database shards, not DSPy's 16; one that has shards keeps
    /// their number, and a rerun there replays every call from it. An LM told not to cache
    /// (`cache=false`) makes none.
    @Test func cacheShardsNewAndKept() throws {
        Fixture.write(Fixture.examples(6), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        func shards(_ cache: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { $0.count == 3 && Int($0) != nil }.sorted()
        }
        func cachedCalls(_ cache: String, _ more: [String] = []) throws -> Int {
            let outcome = try run(Fixture.binary, ["--lm", "openai/standin", "--lm-base", standIn.base, "--lm-key", "standin",
                                                   "--cache", cache, "-q", "--data", directory + "/data.jsonl",
                                                   directory + "/candidates.jsonl"] + more, in: directory)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return scoredCandidates(outcome.stdout).compactMap { $0["usage"]?["cached_calls"]?.intValue }.reduce(0, +)
        }
        _ = try cachedCalls(directory + "/fresh")
        #expect(shards(directory + "/fresh") == ["000", "001"])

        let dspyLike = directory + "/sixteen"
        let sixteen = (0..<16).map { String(format: "%03d", $0) }
        for name in sixteen { try FileManager.default.createDirectory(atPath: dspyLike + "/" + name, withIntermediateDirectories: true) }
        #expect(try cachedCalls(dspyLike) == 0)
        #expect(shards(dspyLike) == sixteen)
        #expect(sixteen.allSatisfy { FileManager.default.fileExists(atPath: dspyLike + "/" + $0 + "/cache.db") })
        #expect(try cachedCalls(dspyLike) == 6)

        #expect(try cachedCalls(directory + "/none", ["--lm-arg", "cache=false"]) == 0)
        #expect(!FileManager.default.fileExists(atPath: directory + "/none"))
    }

    /// --max-calls stops new work at the limit; what is left stays in want.
    @Test func callBudgetStopsNewWork() throws {
        Fixture.write(Fixture.examples(40), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("a", nil), ("b", nil), ("c", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl", "--latency-ms", "20"])
        let outcome = try score(standIn, ["--data", directory + "/data.jsonl", "-j", "4", "--max-calls", "50",
                                          directory + "/candidates.jsonl"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let calls = standIn.stats()["calls"]?.intValue ?? 0
        #expect(calls >= 50 && calls <= 54, "the stand-in saw \(calls) calls")
        let candidates = scoredCandidates(outcome.stdout)
        #expect(candidates.count == 3)
        let scored = candidates.compactMap { $0["summary"]?["scored"]?.intValue }.reduce(0, +)
        let pending = candidates.compactMap { $0["want"]?.arrayValue?.count }.reduce(0, +)
        #expect(scored == calls)
        #expect(scored + pending == 120)

        let none = try score(standIn, ["--data", directory + "/data.jsonl", "--max-calls", "0", directory + "/candidates.jsonl"])
        #expect(none.status == 3)
        #expect(scoredCandidates(none.stdout).compactMap { $0["want"]?.arrayValue?.count } == [40, 40, 40])
    }

    /// A judge metric is a DSPy signature run with the task LM; its calls count in usage.
    @Test func judgeMetricScoresWithTheLM() throws {
        Fixture.write(Fixture.examples(4), to: directory + "/data.jsonl")
        var answers = ""
        for (i, record) in Fixture.records(directory + "/data.jsonl").enumerated() {
            guard case .object(var o) = record else { continue }
            if i == 0 { o["sentiment"] = o["sentiment"] == "positive" ? "negative" : "positive" }
            answers += JSON.object(o).text + "\n"
        }
        Fixture.write(answers, to: directory + "/answers.jsonl")
        Fixture.write("{\"kind\": \"judge\", \"rubric\": \"The label must be the expected one.\"}", to: directory + "/judge.json")
        Fixture.write(Fixture.candidates([("judged", nil)]), to: directory + "/candidates.jsonl")
        let standIn = try StandIn(["--answers", directory + "/answers.jsonl"])
        let outcome = try score(standIn, ["--data", directory + "/data.jsonl", "--metric", directory + "/judge.json",
                                          directory + "/candidates.jsonl"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let record = try #require(scoredCandidates(outcome.stdout).first)
        #expect(record["summary"]?["mean"]?.doubleValue == 0.75)
        #expect(record["scores"]?["ex-0"]?["feedback"]?.stringValue?.contains("sentiment") == true)
        #expect(record["usage"]?["lm_calls"]?.intValue == 8)
    }

    /// An LM that cannot be reached at all is exit status 3, with every record still written.
    @Test func unreachableLMIsStatusThree() throws {
        Fixture.write(Fixture.examples(3), to: directory + "/data.jsonl")
        Fixture.write(Fixture.candidates([("a", nil)]), to: directory + "/candidates.jsonl")
        let outcome = try run(Fixture.binary, ["--lm", "openai/standin", "--lm-base", "http://127.0.0.1:9/v1", "--lm-key", "sk-SECRET-xyz",
                                               "--lm-arg", "num_retries=0", "--cache", directory + "/cache",
                                               "--data", directory + "/data.jsonl", directory + "/candidates.jsonl"], in: directory)
        #expect(outcome.status == 3)
        let record = try #require(scoredCandidates(outcome.stdout).first)
        #expect(record["want"]?.arrayValue?.count == 3)
        #expect(record["scores"]?["ex-0"]?["error"]?["code"] == "lm_unreachable")
        #expect(!outcome.stdout.contains("SECRET") && !outcome.stderr.contains("SECRET"))
    }

    /// Unchecked candidates are refused, written back with a diagnostic; --force scores them.
    @Test func uncheckedCandidatesAreRefusedUnlessForced() throws {
        var unchecked = try #require(try JSON.parse(Array(Fixture.candidates([("unchecked", nil)]).utf8)).objectValue)
        unchecked["check"] = nil
        Fixture.write(JSON.object(unchecked).text + "\n{\"kind\":\"note\"}\n", to: directory + "/candidates.jsonl")
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let refused = try score(standIn, ["--data", directory + "/data.jsonl", directory + "/candidates.jsonl"])
        #expect(refused.status == 1)
        let record = try #require(scoredCandidates(refused.stdout).first)
        #expect(record["summary"]?["diagnostics"]?.arrayValue?.first?["rule"] == "SCORE001")
        #expect(record["scores"] == nil)
        #expect(refused.stdout.hasSuffix("{\"kind\":\"note\"}\n"))
        let forced = try score(standIn, ["--data", directory + "/data.jsonl", "--force", directory + "/candidates.jsonl"])
        #expect(forced.status == 0)
        #expect(scoredCandidates(forced.stdout).first?["summary"]?["mean"]?.doubleValue == 1)
    }
}
