import Foundation
import MkspyCore
import Testing

/// What a person or a CI script sees of a run: mkspy-evolve's line per step and mkspy-score's
/// progress on a pipe, the JSON events, mkspy-score's redraw on a pseudo-terminal, and the
/// `--best` and `--frontier` records jq reads.
@Suite struct WatchTests {
    typealias Loop = LoopEndToEndTests

    static func lines(_ path: String) -> [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    static func matches(_ line: String, _ pattern: String) -> Bool {
        line.range(of: pattern, options: .regularExpression) != nil
    }

    @Test(.enabled(if: Loop.ready, "needs the DSPy runtime and the built tools"), .timeLimit(.minutes(5)))
    func aRunReadsOnAPipeOnATerminalAndInJq() throws {
        let (dir, standIn, env, task) = try Loop.setUp(latencyMS: 20)
        defer { standIn.terminate(); standIn.waitUntilExit(); try? FileManager.default.removeItem(atPath: dir) }
        let python = ReflectionTests.python!
        try Loop.shell("""
            mkspy-spec \(task)/spec.json | mkspy-gen > seeds.jsonl; touch archive.jsonl
            e="mkspy-evolve --train \(task)/train.jsonl --val \(task)/val.jsonl --children 1 --seed 1 --max-calls 60"
            while $e seeds.jsonl archive.jsonl 2>>evolve.err | tee next.jsonl | mkspy-gen | mkspy-check -q |
                  mkspy-score --cache cache --data \(task)/train.jsonl --data \(task)/val.jsonl 2>>score.err >> archive.jsonl
                  [ $? -le 1 ] && [ -s next.jsonl ]; do :; done
            MKSPY_PROGRESS=json $e seeds.jsonl archive.jsonl 2>events.err >/dev/null
            mkspy-check -q seeds.jsonl > checked.jsonl
            MKSPY_PROGRESS=json mkspy-score --cache cache-json --data \(task)/val.jsonl <checked.jsonl 2>score-events.err >/dev/null
            $e --best archive.jsonl > best.jsonl 2>best.err
            mkspy-evolve -q --best --train \(task)/train.jsonl --val \(task)/val.jsonl archive.jsonl > best-read-back.jsonl
            $e --explain archive.jsonl | jq -c 'select(.kind == "search")' > search.jsonl
            $e --frontier archive.jsonl > frontier.jsonl
            \(python) -c 'import pty, sys; pty.spawn(sys.argv[1:])' sh -c \\
                'mkspy-score -j 1 --cache cache-tty --data \(task)/val.jsonl <checked.jsonl >/dev/null' > tty.out
            """, in: dir, environment: env)

        // On a pipe: one plain line per step, the stop line last; before them, once, that 60
        // calls keep 15 of the 24 val examples; between them, why a step proposed less.
        let cut = "mkspy-evolve: val has 24 examples and --max-calls 60 pays for 15 of them"
        let said = Self.lines(dir + "/evolve.err")
        #expect(said.first?.hasPrefix(cut) == true && said.filter { $0.hasPrefix(cut) }.count == 1)
        let steps = said.dropFirst().filter { !$0.hasPrefix("mkspy-evolve: budget: ") }
        #expect(steps.count >= 3)
        for line in steps {
            #expect(Self.matches(line, #"^mkspy-evolve: step [0-9]+: [0-9]+ of 60 metric calls, best val (none yet|[0-9.]+), frontier [0-9]+"#), "\(line)")
        }
        #expect(steps.last?.contains("; stopping: ") == true)
        #expect(steps.contains { $0.contains("ran last step: ") && $0.contains("accepted") })
        // (mkspy-score's other lines are diagnostics, such as the word on MKSPY_SANDBOX=none.)
        let progress = Self.lines(dir + "/score.err").filter { $0.hasPrefix("mkspy-score: ") }
        #expect(!progress.isEmpty && !progress.joined().contains("\r"))
        for line in progress {
            #expect(Self.matches(line, #"^mkspy-score: [0-9]+/[0-9]+ examples, mean ([0-9.]+|–), [0-9.]+/s"#), "\(line)")
        }

        // MKSPY_PROGRESS=json: the progress is event objects; diagnostics stay plain lines.
        let events = try (Self.lines(dir + "/events.err") + Self.lines(dir + "/score-events.err"))
            .filter { !$0.hasPrefix("mkspy-score worker: ") }.map { try JSON.parse(Array($0.utf8)) }
        #expect(events.contains { $0["event"] == "stop" && $0["tool"] == "mkspy-evolve" && $0["metric_calls"]?.intValue != nil })
        let scored = events.filter { $0["event"] == "score" }
        #expect(scored.last?["final"] == true && scored.last?["done"] == 24 && scored.last?["total"] == 24)

        // On a terminal: one line redrawn in place, ending in a newline.
        let tty = try String(contentsOfFile: dir + "/tty.out", encoding: .utf8)
        #expect(tty.components(separatedBy: "\r\u{1B}[Kmkspy-score: ").count - 1 >= 2, "\(tty.debugDescription)")
        #expect(tty.contains("24/24 examples"))

        // --best: its val mean over the n val examples behind it (the 15 kept), as its scores say.
        let search = try JSON.parse(try #require(readFile(dir + "/search.jsonl")))
        let valIDs = (search["val"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(valIDs.count == 15 && search["val_given"] == 24)
        #expect(Self.lines(dir + "/best.err").first?.hasPrefix(cut) == true)
        let best = try JSON.parse(try #require(readFile(dir + "/best.jsonl")))
        // Read back without the budget (nor --seed), --best takes it from the archive: the same.
        let readBack = try JSON.parse(try #require(readFile(dir + "/best-read-back.jsonl")))
        #expect(readBack["id"] == best["id"] && readBack["evolve"]?["val"] == best["evolve"]?["val"])
        let mean = valIDs.compactMap { best["scores"]?[$0]?["score"]?.doubleValue }.reduce(0, +) / Double(valIDs.count)
        #expect(best["evolve"]?["val"]?["n"] == .int(valIDs.count))
        #expect(abs((best["evolve"]?["val"]?["mean"]?.doubleValue ?? -1) - mean) < 1e-9)

        // --frontier: the complete candidates ranked, best first, as the CI jq line reads them.
        let ranked = try Self.lines(dir + "/frontier.jsonl").map { try JSON.parse(Array($0.utf8)) }
        #expect(!ranked.isEmpty && ranked.allSatisfy { $0["kind"] == "explain" && $0["status"] == "complete" })
        #expect(ranked.map { $0["rank"]?.intValue ?? 0 } == Array(1...ranked.count))
        #expect(ranked.first?["id"] == best["id"] && ranked.first?["best"] == true)
        let means = ranked.map { $0["val"]?["mean"]?.doubleValue ?? -1 }
        #expect(zip(means, means.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(ranked.contains { $0["frontier"] == true })
    }
}
