import Foundation
import MkspyCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The runtime server: one per user and Python keeps DSPy imported between runs; each run is
/// a session forked from it with the run's environment, working directory and stderr.
@Suite(.serialized, .enabled(if: Fixture.python != nil, "needs a Python with dspy (MKSPY_PYTHON)"))
final class RuntimeServerTests {
    let directory = Fixture.temporaryDirectory()
    /// A runtime directory of this suite's own, so that its server is its own (and short: a socket path has 108 bytes).
    let runtime = "/tmp/mkspy-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        Fixture.write(Fixture.examples(2), to: directory + "/data.jsonl")
    }

    deinit {
        for socket in sockets() { unlink(socket) }  // its server sees the file gone and exits
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: runtime)
    }

    func sockets() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: runtime + "/mkspy")) ?? []).filter { $0.hasSuffix(".sock") }
            .map { runtime + "/mkspy/" + $0 }
    }

    func inode(_ path: String) -> UInt64? {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    /// Scores one candidate whose `forward` body is `body` on two examples.
    func score(_ standIn: StandIn, body: String? = nil, quiet: Bool = true, idle: String = "60",
               environment: [String: String] = [:], cwd: String? = nil) throws -> Outcome {
        let candidates = directory + "/candidates-\(UUID().uuidString).jsonl"
        Fixture.write(Fixture.candidates([("server", body)]), to: candidates)
        return try run(Fixture.binary, ["--lm", "openai/standin", "--lm-base", standIn.base, "--lm-key", "sk-test-1234",
                                        "--cache", directory + "/cache", "--data", directory + "/data.jsonl", "-j", "2"]
                       + (quiet ? ["-q"] : []) + [candidates],
                       in: directory, environment: environment.merging(["XDG_RUNTIME_DIR": runtime, "MKSPY_RUNTIME_IDLE": idle]) { $1 },
                       cwd: cwd)
    }

    @Test func runsShareOneServer() throws {
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let first = try score(standIn, quiet: false)
        #expect(first.status == 0, "\(first.stderr)")
        let socket = try #require(sockets().first, "\(first.stderr)")
        #expect(sockets().count == 1)
        let before = inode(socket)
        let second = try score(standIn)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(sockets() == [socket] && inode(socket) == before, "the second run reuses the server's socket")
        #expect(scoredCandidates(second.stdout).first?["summary"]?["scored"]?.intValue == 2)
    }

    @Test func aSessionRunsInTheClientsEnvironmentAndDirectory() throws {
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let body = "import os; result = dspy.Prediction(sentiment=os.environ.get('MKSPY_TEST_MARK', '-') + '@' + os.getcwd())"
        for mark in ["first", "second"] {
            let cwd = directory + "/" + mark
            try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
            let outcome = try score(standIn, body: body, environment: ["MKSPY_TEST_MARK": mark], cwd: cwd)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let scores = try #require(scoredCandidates(outcome.stdout).first?["scores"]?.objectValue)
            for (_, entry) in scores {
                #expect(entry["prediction"]?["sentiment"]?.stringValue == "\(mark)@\(absolutePath(cwd))")
            }
        }
        #expect(sockets().count == 1)
    }

    @Test func aSessionWritesToTheClientsStderr() throws {
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let body = "import sys; print('mark-from-the-program', file=sys.stderr); result = self.classify_sentiment(review=review)"
        let loud = try score(standIn, body: body, quiet: false)
        #expect(loud.status == 0, "\(loud.stderr)")
        #expect(loud.stderr.contains("mark-from-the-program"))
        let quiet = try score(standIn, body: body, quiet: true)
        #expect(quiet.status == 0)
        #expect(!quiet.stderr.contains("mark-from-the-program"))
    }

    @Test func aRemovedCacheDirectoryIsMadeAgain() throws {
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        func calls() -> Int { standIn.stats()["calls"]?.intValue ?? -1 }
        #expect(try score(standIn).status == 0)
        #expect(try score(standIn).status == 0)
        #expect(calls() == 2, "the second run replays from the cache")
        // The server set the cache up before; removed (`make mkspy-clean`), it must be made again.
        try FileManager.default.removeItem(atPath: directory + "/cache")
        #expect(try score(standIn).status == 0)
        #expect(calls() == 4)
        #expect(try score(standIn).status == 0)
        #expect(calls() == 4, "the run after it replays from the new cache")
    }

    @Test func anIdleServerExitsAndARemovedSocketEndsIt() throws {
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let outcome = try score(standIn, idle: "1")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        var waited = 0
        while !sockets().isEmpty && waited < 100 { usleep(100_000); waited += 1 }
        #expect(sockets().isEmpty, "the server exits after 1 s without a session")

        #expect(try score(standIn).status == 0)
        let socket = try #require(sockets().first)
        let before = inode(socket)
        unlink(socket)
        usleep(1_500_000)  // the server checks its socket file at least once a second
        let again = try score(standIn)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(sockets().count == 1 && inode(sockets()[0]) != before, "a fresh server")
    }

    @Test func withoutAServerEachRunHasItsOwnWorker() throws {
        let standIn = try StandIn(["--answers", directory + "/data.jsonl"])
        let outcome = try score(standIn, idle: "0")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(scoredCandidates(outcome.stdout).first?["summary"]?["scored"]?.intValue == 2)
        #expect(sockets().isEmpty)
    }
}
