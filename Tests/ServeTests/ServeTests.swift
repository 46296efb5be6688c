import Foundation
import MkspyCore
import Testing

/// mkspy-serve end to end: the built server on 127.0.0.1, port 0, with the rules stand-in as
/// the LM. Serialized: each job is the whole loop, and the machine has two cores.
@Suite(.serialized) struct ServeTests {
    /// The mean of a candidate's scores on `ids`, over every archive record of it.
    static func mean(of candidate: (JSON) -> Bool, on ids: Set<String>, in archive: [JSON]) -> (mean: Double, n: Int)? {
        var scores = [String: Double]()
        for record in archive where candidate(record) {
            for (id, entry) in record["scores"]?.objectValue ?? [:] where ids.contains(id) {
                if let s = entry["score"]?.doubleValue { scores[id] = s }
            }
        }
        return scores.isEmpty ? nil : (scores.values.reduce(0, +) / Double(scores.count), scores.count)
    }

    @Test(.enabled(if: Serve.ready, "needs the runtime, curl and the built tools"), .timeLimit(.minutes(6)))
    func aJobIsWatchedToDoneAndItsBestBeatsTheSeed() throws {
        let dir = try Serve.scratch()
        let (standIn, lm) = try Serve.standIn()
        let server = try Serve.Server(dir: dir, environment: Serve.environment(lm: lm, in: dir))
        defer { server.stop(); standIn.terminate(); standIn.waitUntilExit(); try? FileManager.default.removeItem(atPath: dir) }
        #expect(server.url.hasPrefix("http://127.0.0.1:"))

        let id = try Serve.submit(try Serve.rulesJob(maxCalls: 100), to: server)
        #expect(try server.get("/jobs").json["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
        // The events, followed: the request ends when the job does.
        let events = try server.get("/jobs/\(id)/events").lines
        #expect(events.first?["event"] == "job" && events.first?["status"] == "queued")
        #expect(events.last?["event"] == "job" && events.last?["status"] == "done", "last event: \(events.last?.text ?? "none")")
        let steps = events.filter { $0["tool"] == "mkspy-evolve" && $0["event"] == "step" }
        #expect(!steps.isEmpty && events.contains { $0["tool"] == "mkspy-score" && $0["event"] == "score" })
        #expect(events.allSatisfy { $0["time"]?.stringValue != nil })

        let status = try server.get("/jobs/\(id)").json
        #expect(status["status"] == "done" && status["error"] == .null)
        let calls = try #require(status["metric_calls"]?.intValue)
        #expect(calls > 0 && calls <= 100 && status["max_calls"] == 100)
        #expect(status["created"]?.stringValue != nil && status["started"]?.stringValue != nil && status["finished"]?.stringValue != nil)
        // The status says what the last step event said.
        #expect(status["metric_calls"] == steps.last?["metric_calls"] || events.contains { $0["event"] == "stop" })

        // Artifacts: the fixed list, each written; the best val beats the seed's.
        for name in ["best.py", "best.json", "report.html", "archive.jsonl", "log.jsonl"] {
            let r = try server.get("/jobs/\(id)/artifacts/\(name)")
            #expect(r.status == 200 && !r.body.isEmpty, "\(name): \(r.status)")
            #expect(!r.text.contains(Serve.secret), "\(name) shows the key")
        }
        #expect(try server.get("/jobs/\(id)/artifacts/best.py").text.contains("class RouteTicket(dspy.Module)"))
        let archive = try server.get("/jobs/\(id)/artifacts/archive.jsonl").lines
        let valIDs = Set(try String(contentsOfFile: Serve.task + "/val.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSON.parse(Array($0.utf8))["id"]?.stringValue })
        // Under 100 calls the seed's val runs in the slots the search leaves idle, and may not all
        // run (reflections read 16 train examples): the best is compared on what the seed ran.
        let seedRan = Set(archive.filter { $0["origin"] == "seed" }.flatMap { r in
            (r["scores"]?.objectValue ?? [:]).filter { valIDs.contains($0.key) && $0.value["score"]?.doubleValue != nil }.map(\.key) })
        let seed = try #require(Self.mean(of: { $0["origin"] == "seed" }, on: seedRan, in: archive))
        let best = try #require(status["best_val"]?.doubleValue)
        let bestRecord = try server.get("/jobs/\(id)/artifacts/best.json").json
        #expect(bestRecord["evolve"]?["val"]?["mean"]?.doubleValue == best)
        let bestOnSeeds = try #require(Self.mean(of: { $0["id"] == bestRecord["id"] }, on: seedRan, in: archive))
        #expect(seed.n >= 8 && bestOnSeeds.n == seed.n)
        #expect(bestOnSeeds.mean > seed.mean, "best \(bestOnSeeds.mean), the seed \(seed.mean) on the \(seed.n) val examples the seed ran")
        #expect(!(try server.get("/jobs/\(id)/events").text.contains(Serve.secret)))

        // Server-sent events when asked, every event an `id:` and `data:`.
        let sse = try Serve.http("GET", server.url + "/jobs/\(id)/events", headers: ["Accept: text/event-stream"]).text
        #expect(sse.hasPrefix("id: 1\ndata: {") && sse.components(separatedBy: "\n\n").filter { !$0.isEmpty }.count == events.count)
        // A finished job cannot be cancelled, and its files stay.
        #expect(try Serve.http("DELETE", server.url + "/jobs/\(id)").status == 409)
    }

    @Test(.enabled(if: Serve.ready, "needs the runtime, curl and the built tools"), .timeLimit(.minutes(3)))
    func badPayloadsAreRefusedNamingTheField() throws {
        let dir = try Serve.scratch()
        let server = try Serve.Server(dir: dir, environment: Serve.environment(lm: "http://127.0.0.1:9", in: dir))
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let good = try Serve.rulesJob(maxCalls: 50)
        func with(_ change: (inout JSONObject) -> Void) -> [UInt8] {
            var o = good.objectValue!
            change(&o)
            return JSON.object(o).encoded
        }
        func example(_ rows: JSON?, _ i: Int, _ change: (inout JSONObject) -> Void) -> JSON {
            var array = rows!.arrayValue!
            var o = array[i].objectValue!
            change(&o)
            array[i] = .object(o)
            return .array(array)
        }
        var spec = good["spec"]!.objectValue!
        spec["operations"] = [["name": "route", "inputs": ["msg": "str"], "outputs": ["label": "Queue"], "instruction": "Route the ticket."]]
        let cases: [(String, [UInt8], Int, String)] = [
            ("not JSON", Array("{\"train\": [".utf8), 400, "body"),
            ("an array", Array("[1, 2]".utf8), 400, "body"),
            ("no train data", with { $0["train"] = nil }, 400, "train"),
            ("empty val", with { $0["val"] = [] }, 400, "val"),
            ("invalid spec", with { $0["spec"] = .object(spec) }, 400, "spec.operations[0].inputs.msg"),
            ("spec and program", with { $0["program"] = ["source": "import dspy\n"] }, 400, "spec"),
            ("an example without its input", with { $0["val"] = example(good["val"], 3) { $0["message"] = nil } }, 400, "val[3].message"),
            ("an example without its gold field", with {
                $0["metric"] = ["kind": "exact", "field": "label"]
                $0["train"] = example(good["train"], 1) { $0["label"] = nil }
            }, 400, "train[1].label"),
            ("a repeated id", with { $0["val"] = example(good["val"], 0) { $0["id"] = "train-001" } }, 400, "val[0].id"),
            ("no budget", with { $0["max_calls"] = nil }, 400, "max_calls"),
            ("a negative budget", with { $0["max_calls"] = -3 }, 400, "max_calls"),
            ("a python metric by path", with { $0["metric"] = ["kind": "python", "path": "/etc/metric.py", "function": "metric"] }, 400, "metric.path"),
            ("an unknown field", with { $0["lm_base"] = "http://example.invalid" }, 400, "lm_base"),
            ("a model string with a space", with { $0["lm"] = "openai/gpt 4" }, 400, "lm"),
            ("a key", with { $0["api_key"] = "sk-abc" }, 400, "api_key"),
            ("a provider's key", with { $0["openai_api_key"] = "sk-abc" }, 400, "openai_api_key"),
            ("a key inside lm", with { $0["lm"] = ["model": "openai/gpt-4o", "api_key": "sk-abc"] }, 400, "lm.api_key"),
            ("a token in an example", with { $0["train"] = example(good["train"], 0) { $0["token"] = "t" } }, 400, "train[0].token"),
        ]
        for (what, body, status, field) in cases {
            let r = try Serve.http("POST", server.url + "/jobs", body: body)
            #expect(r.status == status, "\(what): \(r.status) \(r.text)")
            #expect(r.json["field"]?.stringValue == field, "\(what): \(r.text)")
            #expect(r.json["detail"]?.stringValue?.hasPrefix(field + ": ") == true, "\(what): \(r.text)")
        }
        // Oversize: refused by its length, before it is read.
        let big = Array("{\"train\": [\"".utf8) + [UInt8](repeating: 0x61, count: 17 << 20) + Array("\"]}".utf8)
        let r = try Serve.http("POST", server.url + "/jobs", body: big)
        #expect(r.status == 413 && r.json["field"] == "body", "\(r.status) \(r.text.prefix(200))")
        let chunked = try Serve.http("POST", server.url + "/jobs", body: big, headers: ["Content-Type: application/json", "Transfer-Encoding: chunked"])
        #expect(chunked.status == 413 && chunked.json["field"] == "body", "chunked: \(chunked.status) \(chunked.text.prefix(200))")
        let small = try Serve.http("POST", server.url + "/jobs", body: Array("{\"train\": 1}".utf8), headers: ["Content-Type: application/json", "Transfer-Encoding: chunked"])
        #expect(small.status == 400 && small.json["field"] != "body", "chunked and small: \(small.status) \(small.text.prefix(200))")
        // No request made a job, nor left a directory.
        #expect(try server.get("/jobs").json["jobs"] == [])
        #expect((try FileManager.default.contentsOfDirectory(atPath: dir + "/jobs")).isEmpty)
        // Unknown jobs and artifact names are 404s; no path reaches the file system.
        #expect(try server.get("/jobs/0123456789abcdef").status == 404)
        #expect(try server.get("/jobs/..%2F..%2Fetc/artifacts/best.py").status == 404)
        #expect(try server.get("/jobs/0123456789abcdef/artifacts/job.json").status == 404)
        #expect(try server.get("/openapi.json").json["paths"]?["/jobs/{job_id}/events"] != nil)
    }

    /// kill -9 of the server mid-job: its tools run on, the next server follows the job to the
    /// end, and the stand-in answered no request twice. Then the server and the job's tools are
    /// killed together (a machine that went down): the next server resumes the loop from the
    /// archive, and no pair the archive holds is scored again.
    @Test(.enabled(if: Serve.ready, "needs the runtime, curl and the built tools"), .timeLimit(.minutes(8)))
    func aKilledServerResumesItsJobsPayingNoPairTwice() throws {
        let dir = try Serve.scratch()
        let (standIn, lm) = try Serve.standIn()
        defer { standIn.terminate(); standIn.waitUntilExit(); try? FileManager.default.removeItem(atPath: dir) }
        let env = Serve.environment(lm: lm, in: dir)
        let first = try Serve.Server(dir: dir, environment: env)
        let id = try Serve.submit(try Serve.rulesJob(maxCalls: 100, children: 2), to: first)
        let jobDir = dir + "/jobs/" + id
        let midway = try first.wait(id) { ($0["metric_calls"]?.intValue ?? 0) >= 10 || !["running", "queued"].contains($0["status"]?.stringValue ?? "") }
        #expect(midway["status"] == "running", "the job ended before the kill: \(midway.text)")
        first.crash()
        #expect(!Serve.processes(in: jobDir).isEmpty)  // the job's tools run on

        let second = try Serve.Server(dir: dir, environment: env)
        let further = try second.wait(id) { ($0["metric_calls"]?.intValue ?? 0) >= 40 || $0["status"] != "running" }
        #expect(further["status"] == "running", "the job ended before the second kill: \(further.text)")
        let followed = try Serve.http("GET", lm + "/stats").json
        #expect((followed["calls"]?.intValue ?? 0) > 40 && followed["repeated_answers"] == 0, "\(followed.text)")

        // Down together: the server, then every tool of the job.
        second.crash()
        for _ in 0..<30 {  // again while a process being killed can still fork one
            let left = Serve.processes(in: jobDir)
            if left.isEmpty { break }
            for pid in left { kill(pid, SIGKILL) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(Serve.processes(in: jobDir).isEmpty)

        let third = try Serve.Server(dir: dir, environment: env)
        defer { third.stop() }
        let status = try third.wait(id) { ["done", "failed", "cancelled"].contains($0["status"]?.stringValue ?? "") }
        #expect(status["status"] == "done", "\(status.text)")
        let events = try third.get("/jobs/\(id)/events").lines
        #expect(events.contains { $0["status"] == "running" && $0["reattached"] == true })
        #expect(events.contains { $0["status"] == "running" && $0["resumed"] == 1 })
        // The archive holds each candidate-example pair once (or again with the same score).
        var seen = [String: JSON]()
        for record in try third.get("/jobs/\(id)/artifacts/archive.jsonl").lines {
            for (eid, entry) in record["scores"]?.objectValue ?? [:] where entry["score"]?.doubleValue != nil {
                let key = "\(record["id"]?.stringValue ?? "") \(eid)"
                #expect(seen[key].map { $0 == entry } ?? true, "\(key) scored twice")
                seen[key] = entry
            }
        }
        // Killing the tools may cut calls in flight (mkspy-score's 4, the reflections of 2
        // children) after the LM answered and before the cache kept the answer: those, at
        // most, are asked again; every pair the archive or the cache held is not.
        let stats = try Serve.http("GET", lm + "/stats").json
        #expect((stats["repeated_answers"]?.intValue ?? 99) <= 6, "\(stats.text)")
        #expect(Serve.processes(in: jobDir).isEmpty)
    }

    /// SIGTERM, as systemd, docker and Kubernetes stop a server, stops its jobs' tools as
    /// SIGINT does; the job stays `running` on disk, for the next server to resume.
    @Test(.enabled(if: Serve.ready, "needs the runtime, curl and the built tools"), .timeLimit(.minutes(3)))
    func aServerStoppedWithSIGTERMStopsItsJobs() throws {
        let dir = try Serve.scratch()
        let (standIn, lm) = try Serve.standIn()
        defer { standIn.terminate(); standIn.waitUntilExit(); try? FileManager.default.removeItem(atPath: dir) }
        let server = try Serve.Server(dir: dir, environment: Serve.environment(lm: lm, in: dir))
        let id = try Serve.submit(try Serve.rulesJob(maxCalls: 1000, children: 2), to: server)
        let jobDir = dir + "/jobs/" + id
        let running = try server.wait(id) { ($0["metric_calls"]?.intValue ?? 0) > 0 || $0["status"] != "running" }
        #expect(running["status"] == "running", "\(running.text)")
        _ = try Serve.http("POST", lm + "/control", body: Array(#"{"latency_ms": 500}"#.utf8))  // no end within the wait below
        server.stop()  // SIGTERM
        let deadline = Date().addingTimeInterval(10)
        while !Serve.processes(in: jobDir).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(Serve.processes(in: jobDir).isEmpty, "the job's tools run on after the server stopped")
        let state = try JSON.parse(Array(try #require(FileManager.default.contents(atPath: jobDir + "/job.json"))))
        #expect(state["status"] == "running")
    }

    /// A provider that always fails: the job fails at its first step with the tool's reason,
    /// not make's status alone, and every log event names the program that wrote it (null
    /// for none).
    @Test(.enabled(if: Serve.ready, "needs the runtime, curl and the built tools"), .timeLimit(.minutes(3)))
    func aJobWhoseProviderFailsSaysWhy() throws {
        let dir = try Serve.scratch()
        let (standIn, lm) = try Serve.standIn()
        let server = try Serve.Server(dir: dir, environment: Serve.environment(lm: lm, in: dir))
        defer { server.stop(); standIn.terminate(); standIn.waitUntilExit(); try? FileManager.default.removeItem(atPath: dir) }
        _ = try Serve.http("POST", lm + "/control", body: Array(#"{"fail_rate": 1, "fail_mix": "500"}"#.utf8))
        let id = try Serve.submit(try Serve.rulesJob(maxCalls: 100), to: server)
        let status = try server.wait(id) { !["running", "queued"].contains($0["status"]?.stringValue ?? "") }
        #expect(status["status"] == "failed", "\(status.text)")
        let why = status["error"]?.stringValue ?? ""
        #expect(why.hasPrefix("the loop failed (make exited ") && why.contains("mkspy-score: no LM call succeeded"), "\(why)")
        let logs = try server.get("/jobs/\(id)/events").lines.filter { $0["event"] == "log" }
        #expect(!logs.isEmpty && logs.allSatisfy { $0.objectValue?["tool"] != nil }, "\(logs.map(\.text))")
        #expect(logs.contains { $0["tool"] == "mkspy-score" } && logs.contains { $0["tool"] == "make" }, "\(logs.map(\.text))")
    }

    @Test(.enabled(if: Serve.ready, "needs the runtime, curl and the built tools"), .timeLimit(.minutes(3)))
    func jobsWaitTheirTurnAndCancelStopsTheirTools() throws {
        let dir = try Serve.scratch()
        let (standIn, lm) = try Serve.standIn()
        let server = try Serve.Server(dir: dir, environment: Serve.environment(lm: lm, in: dir), arguments: ["--jobs", "1"])
        defer { server.stop(); standIn.terminate(); standIn.waitUntilExit(); try? FileManager.default.removeItem(atPath: dir) }
        let job = try Serve.rulesJob(maxCalls: 1000, children: 2)
        let a = try Serve.submit(job, to: server), b = try Serve.submit(job, to: server)
        let running = try server.wait(a) { ($0["metric_calls"]?.intValue ?? 0) > 0 }
        #expect(running["status"] == "running")
        #expect(!Serve.processes(in: dir + "/jobs/" + a).isEmpty)
        #expect(try server.get("/jobs/\(b)").json["status"] == "queued")

        // A queued job never starts; a running one's tools stop; the files stay.
        #expect(try Serve.http("DELETE", server.url + "/jobs/\(b)").json["status"] == "cancelled")
        let cancelled = try Serve.http("DELETE", server.url + "/jobs/\(a)")
        #expect(cancelled.status == 200 && cancelled.json["status"] == "cancelled", "\(cancelled.text)")
        #expect(Serve.processes(in: dir + "/jobs/" + a).isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir + "/jobs/\(a)/archive.jsonl"))
        #expect(try server.get("/jobs/\(a)/artifacts/archive.jsonl").status == 200)
        #expect(try server.get("/jobs/\(b)/events").lines.compactMap { $0["status"]?.stringValue } == ["queued", "cancelled"])
        #expect(try server.get("/jobs/\(a)/events").lines.last?["status"] == "cancelled")
    }

    @Test(.enabled(if: Serve.ready, "needs the runtime, curl and the built tools"), .timeLimit(.minutes(2)))
    func offLoopbackTheTokenIsRequired() throws {
        let dir = try Serve.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var env = Serve.environment(lm: "http://127.0.0.1:9", in: dir)
        // Without a token it refuses before it binds anything.
        for host in ["0.0.0.0", "::", "example.invalid"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Serve.products + "/mkspy-serve")
            p.arguments = ["--host", host, "--port", "0", "--dir", dir + "/jobs"]
            p.environment = env
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let printed = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 2 && printed.isEmpty && said.contains("MKSPY_SERVE_TOKEN"), "\(host): \(said)")
        }
        // With one (tested on loopback), every request carries it.
        env["MKSPY_SERVE_TOKEN"] = "serve-token-5d1e"
        let server = try Serve.Server(dir: dir, environment: env)
        defer { server.stop() }
        #expect(try server.get("/jobs").status == 401)
        #expect(try Serve.http("GET", server.url + "/jobs", headers: ["Authorization: Bearer wrong"]).status == 401)
        #expect(try Serve.http("GET", server.url + "/jobs", headers: ["Authorization: Bearer serve-token-5d1e"]).status == 200)
    }
}
