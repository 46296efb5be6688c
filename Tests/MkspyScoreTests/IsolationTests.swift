import Foundation
import MkspyCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hostile candidates (Fixtures/hostile.json: the body of `forward` that does the attack) run
/// beside a good one: the good one scores exactly as alone, the run finishes, and nothing the
/// hostile ones started is left. Each test runs with bubblewrap when it is installed, and with
/// it turned off (MKSPY_SANDBOX=none).
@Suite(.serialized, .enabled(if: Fixture.python != nil, "needs a Python with dspy (MKSPY_PYTHON)"))
final class IsolationTests {
    let directory = Fixture.temporaryDirectory()
    static let attacks = (try? JSON.parse(readFile(Fixture.repo + "/Tests/MkspyScoreTests/Fixtures/hostile.json") ?? []))?.objectValue ?? [:]
    static let bwrapInstalled = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    static let sandboxes = bwrapInstalled ? ["bwrap", "none"] : ["none"]

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func score(_ standIn: StandIn, _ sandbox: String, _ arguments: [String], quiet: Bool = true) throws -> Outcome {
        try run(Fixture.binary, ["--lm", "openai/standin", "--lm-base", standIn.base, "--lm-key", "sk-test",
                                 "--cache", directory + "/cache-\(sandbox)"] + (quiet ? ["-q"] : []) + arguments,
                in: directory, environment: sandbox == "none" ? ["MKSPY_SANDBOX": "none"] : [:])
    }

    /// Three val examples, and answers that make the good program right on some and wrong on others.
    func data() -> [String] {
        var answers = ""
        var ids = [String]()
        for (i, record) in Fixture.records(Fixture.sentiment + "/val.jsonl").prefix(3).enumerated() {
            guard case .object(var o) = record else { continue }
            ids.append(o["id"]?.stringValue ?? "")
            if i == 1 { o["sentiment"] = "mixed" }
            answers += JSON.object(o).text + "\n"
        }
        Fixture.write(Fixture.records(Fixture.sentiment + "/val.jsonl").prefix(3).map { $0.text + "\n" }.joined(), to: directory + "/data.jsonl")
        Fixture.write(answers, to: directory + "/answers.jsonl")
        return ids
    }

    /// The attack named `name`, with its placeholders filled in.
    func attack(_ name: String, marker: String = "", eids: [String] = []) -> String {
        (Self.attacks[name]?.stringValue ?? "")
            .replacingOccurrences(of: "MARKER", with: marker)
            .replacingOccurrences(of: "EIDS", with: JSON.array(eids.map(JSON.string)).text)
            .replacingOccurrences(of: "OUTSIDE", with: directory + "/escaped.txt")
    }

    /// The processes whose command line holds `marker`.
    static func processes(marked marker: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let pid = Int32(name), let bytes = readFile("/proc/\(name)/cmdline") else { return nil }
            return String(decoding: bytes, as: UTF8.self).contains(marker) ? pid : nil
        }
    }

    @Test(.timeLimit(.minutes(3)), arguments: sandboxes)
    func hostileCandidatesReachNothingOutsideTheirExamples(sandbox: String) throws {
        let eids = data()
        let marker = "MKSPY-LEFTOVER-" + UUID().uuidString
        let standIn = try StandIn(["--answers", directory + "/answers.jsonl"])
        Fixture.write(Fixture.candidates([("good", nil)]), to: directory + "/alone.jsonl")
        let alone = try score(standIn, sandbox, ["--data", directory + "/data.jsonl", directory + "/alone.jsonl"])
        #expect(alone.status == 0, "\(alone.stderr)")

        // The good candidate is c2 of the run; the forger writes results for c1…c5.
        Fixture.write(Fixture.candidates([
            ("spawn", attack("spawn", marker: marker)), ("good", nil), ("forge", attack("forge", eids: eids)),
            ("killparent", attack("killparent")),
        ]), to: directory + "/hostile.jsonl")
        let mixed = try score(standIn, sandbox, ["--data", directory + "/data.jsonl", "-j", "4", directory + "/hostile.jsonl"])
        #expect(mixed.status == 0, "\(mixed.stderr)")
        let candidates = scoredCandidates(mixed.stdout)
        #expect(candidates.count == 4)
        guard candidates.count == 4, let good = scoredCandidates(alone.stdout).first else { return }

        // Exactly as alone: each example's score, prediction and error.
        for eid in eids {
            for key in ["score", "prediction", "error"] {
                #expect(candidates[1]["scores"]?[eid]?[key] == good["scores"]?[eid]?[key], "\(eid) \(key)")
            }
        }
        #expect(Set(eids.compactMap { good["scores"]?[$0]?["score"]?.doubleValue }).count == 2, "the answers should give mixed scores")
        // A forged line counts for nobody but the forger.
        for (i, candidate) in candidates.enumerated() where i != 2 {
            #expect(!JSON.object(candidate).text.contains("forged"), "candidate \(i + 1) shows a forged result")
        }
        // The spawner's leftovers (children, a double-forked daemon, a subprocess) are gone.
        #expect(Self.processes(marked: marker).isEmpty, "processes left: \(Self.processes(marked: marker))")
        #expect(candidates[0]["scores"]?[eids[0]]?["error"] == .null, "the spawner's own examples run")
        // Killing its parent ends its own examples at most (under bubblewrap the kill does nothing).
        for eid in eids {
            let code = candidates[3]["scores"]?[eid]?["error"]?["code"]?.stringValue
            #expect(code == nil || code == "crash", "\(eid): \(code ?? "")")
        }
        if sandbox == "none" {
            #expect(candidates[3]["scores"]?[eids[0]]?["error"]?["code"] == "crash")
        }
    }

    /// Without bubblewrap a program can kill the scoring session itself (its grandparent): the
    /// examples running then are not scored (`worker`, still wanted), a new session takes the
    /// rest, and the run finishes.
    @Test(.timeLimit(.minutes(2))) func aKilledSessionIsReplaced() throws {
        let eids = Array(data().prefix(2))
        Fixture.write(Fixture.records(directory + "/data.jsonl").prefix(2).map { $0.text + "\n" }.joined(), to: directory + "/two.jsonl")
        let standIn = try StandIn(["--answers", directory + "/answers.jsonl"])
        Fixture.write(Fixture.candidates([("good", nil)]), to: directory + "/alone.jsonl")
        let alone = try score(standIn, "none", ["--data", directory + "/two.jsonl", directory + "/alone.jsonl"])
        Fixture.write(Fixture.candidates([("good", nil), ("killsession", attack("killsession"))]), to: directory + "/mixed.jsonl")
        let mixed = try score(standIn, "none", ["--data", directory + "/two.jsonl", "-j", "1", directory + "/mixed.jsonl"])
        #expect(mixed.status == 0, "\(mixed.stderr)")
        let candidates = scoredCandidates(mixed.stdout)
        #expect(candidates.count == 2)
        guard candidates.count == 2, let good = scoredCandidates(alone.stdout).first else { return }
        for eid in eids {
            #expect(candidates[0]["scores"]?[eid]?["score"] == good["scores"]?[eid]?["score"])
            #expect(candidates[1]["scores"]?[eid]?["error"]?["code"] == "worker")
            #expect(candidates[1]["scores"]?[eid]?["score"] == .null)
        }
        #expect(candidates[1]["want"]?.arrayValue?.count == 2)
    }

    /// Under bubblewrap a program cannot write outside its scratch directory (its TMPDIR); without
    /// it, the run says once on stderr what is not confined.
    @Test(.timeLimit(.minutes(2)), arguments: sandboxes)
    func writesStayInTheScratchDirectory(sandbox: String) throws {
        let eids = data()
        let standIn = try StandIn(["--answers", directory + "/answers.jsonl"])
        Fixture.write(Fixture.candidates([("write", attack("write"))]), to: directory + "/write.jsonl")
        let outcome = try score(standIn, sandbox, ["--data", directory + "/data.jsonl", "-j", "2", directory + "/write.jsonl"], quiet: false)
        let scores = try #require(scoredCandidates(outcome.stdout).first?["scores"])
        if sandbox == "bwrap" {
            #expect(!FileManager.default.fileExists(atPath: directory + "/escaped.txt"))
            #expect(scores[eids[0]]?["error"]?["code"] == "program")
            #expect(scores[eids[0]]?["error"]?["message"]?.stringValue?.contains("Read-only file system") == true)
            #expect(!outcome.stderr.contains("not confined"))
        } else {
            #expect(FileManager.default.fileExists(atPath: directory + "/escaped.txt"))
            #expect(scores[eids[0]]?["error"] == .null)
            #expect(outcome.stderr.components(separatedBy: "not confined").count == 2, "said once: \(outcome.stderr)")
        }
    }

    /// Under bubblewrap a program, forked from the session and moved into its sandbox, sees only
    /// the sandbox's processes, holds no capability and cannot make the file system writable
    /// again; without it, it sees everything (the attack then fails its examples on purpose).
    @Test(.timeLimit(.minutes(2)), arguments: sandboxes)
    func aSandboxedProgramSeesNoOtherProcessAndHoldsNoCapability(sandbox: String) throws {
        let eids = data()
        let standIn = try StandIn(["--answers", directory + "/answers.jsonl"])
        Fixture.write(Fixture.candidates([("good", nil), ("escalate", attack("escalate"))]), to: directory + "/escalate.jsonl")
        let outcome = try score(standIn, sandbox, ["--data", directory + "/data.jsonl", "-j", "2", directory + "/escalate.jsonl"])
        let candidates = scoredCandidates(outcome.stdout)
        #expect(candidates.count == 2, "\(outcome.stderr)")
        guard candidates.count == 2 else { return }
        for eid in eids {
            let error = candidates[1]["scores"]?[eid]?["error"]
            if sandbox == "bwrap" {
                #expect(error == .null, "\(eid): \(error?.text ?? "")")
                #expect(candidates[1]["scores"]?[eid]?["score"] == candidates[0]["scores"]?[eid]?["score"])
            } else {
                #expect(error?["message"]?.stringValue?.contains("escaped: sees") == true, "\(eid): \(error?.text ?? "")")
            }
        }
    }

    /// Bubblewrap that fails for a candidate's process after the session found it working (a
    /// bwrap first on PATH that sets up the probe's sandbox and no candidate's): the examples are
    /// not the candidate's to lose. Score null, code `sandbox`, still wanted; never `crash`, 0.
    @Test(.timeLimit(.minutes(2)), .enabled(if: bwrapInstalled, "needs bubblewrap"))
    func aSandboxThatFailsIsNotChargedToTheCandidate() throws {
        let eids = data()
        let standIn = try StandIn(["--answers", directory + "/answers.jsonl"])
        let bin = directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let real = try #require(["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"].first { FileManager.default.isExecutableFile(atPath: $0) })
        Fixture.write("#!/bin/sh\ncase \"$*\" in *mkspy-scratch-*) echo 'bwrap: no sandbox today' >&2; exit 1;; esac\nexec \(real) \"$@\"\n",
                      to: bin + "/bwrap")
        #expect(chmod(bin + "/bwrap", 0o755) == 0)
        Fixture.write(Fixture.candidates([("good", nil)]), to: directory + "/good.jsonl")
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let outcome = try run(Fixture.binary, ["--lm", "openai/standin", "--lm-base", standIn.base, "--lm-key", "sk-test",
                                               "--cache", directory + "/cache-failing", "--data", directory + "/data.jsonl",
                                               "-j", "2", directory + "/good.jsonl"],
                              in: directory, environment: ["PATH": path])
        let scores = try #require(scoredCandidates(outcome.stdout).first?["scores"], "\(outcome.stderr)")
        for eid in eids {
            #expect(scores[eid]?["score"] == .null, "\(eid): \(scores[eid]?.text ?? "")")
            #expect(scores[eid]?["error"]?["code"] == "sandbox", "\(eid): \(scores[eid]?.text ?? "")")
        }
        #expect(outcome.stderr.contains("no sandbox today"), "bwrap's own words reach the user")
        #expect(outcome.status == 3, "every example failed so: a rerun, or the loop's next step, would too")
        #expect(!outcome.stderr.contains("programs are not confined"), "the probe found bubblewrap working")
    }

    /// The same sandbox joined by an unprivileged user (bwrap then makes a user namespace, which
    /// the process joins too): run as `nobody` when the tests run as root.
    @Test(.enabled(if: bwrapInstalled, "needs bubblewrap"))
    func anUnprivilegedProcessJoinsItsSandboxWithoutCapabilities() throws {
        let module = "/tmp/mkspy-join-" + UUID().uuidString  // where `nobody` can read, whatever TMPDIR is
        try FileManager.default.createDirectory(atPath: module, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: module) }
        try FileManager.default.copyItem(atPath: Fixture.repo + "/share/mkspy/worker/mkspy_worker/isolation.py", toPath: module + "/isolation.py")
        let script = module + "/join_sandbox.py"
        try FileManager.default.copyItem(atPath: Fixture.repo + "/Tests/MkspyScoreTests/Fixtures/join_sandbox.py", toPath: script)
        chmod(module, 0o755)
        let root = getuid() == 0
        let outcome = root ? try run("/usr/sbin/runuser", ["-u", "nobody", "--", "/usr/bin/python3", script, module], in: directory,
                                     environment: ["TMPDIR": "/tmp"], cwd: "/tmp")
                           : try run("/usr/bin/python3", [script, module], in: directory)
        let seen = try JSON.parse(Array(outcome.stdout.utf8))
        #expect(seen["joins"] == true, "\(outcome.stdout) \(outcome.stderr)")
        #expect(root ? seen["uid"] == 65534 : seen["uid"] != 0)
        let inside = seen["inside"]
        #expect(inside?["ppid"] == 0 && (inside?["seen"]?.intValue ?? 99) <= 3, "\(outcome.stdout)")
        #expect(inside?["caps"]?.arrayValue?.allSatisfy { $0.stringValue?.allSatisfy { $0 == "0" } == true } == true, "\(outcome.stdout)")
        #expect(inside?["wrote_outside"] == false && inside?["tmpdir"] == true && seen["scratch_written"] == true)
    }

    /// A record whose source was swapped after mkspy-check checked it is refused (SCORE006)
    /// before any LM call, unless --force.
    @Test func aCheckHoldsOnlyForTheSourceItChecked() throws {
        _ = data()
        let standIn = try StandIn(["--answers", directory + "/answers.jsonl"])
        guard case .object(var record) = try JSON.parse(Array(Fixture.candidates([("checked", nil)]).utf8)) else { return }
        record["source"] = .string((record["source"]?.stringValue ?? "") + "\nimport os  # added after the check\n")
        Fixture.write(JSON.object(record).text + "\n", to: directory + "/swapped.jsonl")
        let refused = try score(standIn, "none", ["--data", directory + "/data.jsonl", directory + "/swapped.jsonl"], quiet: false)
        #expect(refused.status == 1)
        #expect(scoredCandidates(refused.stdout).first?["summary"]?["diagnostics"]?.arrayValue?.first?["rule"] == "SCORE006")
        #expect(refused.stderr.contains("source_sha256 differs"))
        #expect(standIn.stats()["calls"]?.intValue == 0)
        let forced = try score(standIn, "none", ["--data", directory + "/data.jsonl", "--force", directory + "/swapped.jsonl"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(scoredCandidates(forced.stdout).first?["scores"]?.objectValue?.count == 3)
    }
}
