import Foundation
import MkspyCore
import MkspyRuntime

/// What the serve tests share: the built tools, the runtime, the rules stand-in, a running
/// mkspy-serve, curl for HTTP (as the README's session does), and the rules task as a job.
enum Serve {
    static let repo: String = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/", !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.path
    }()
    static let products = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    static let python: String? = try? PythonEnvironment.python(progress: false)
    static let curl = ["/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let ready = python != nil && curl != nil && FileManager.default.isExecutableFile(atPath: products + "/mkspy-serve")
    static let task = repo + "/share/mkspy/bench/rules_task"
    /// The task LM's key in the server's environment: it must show up nowhere a client can read.
    static let secret = "sk-serve-test-7f3a9c21e8b4"

    /// A fresh directory for one test.
    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "mkspy-serve-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Reads `pipe` up to its first newline (nil at end of file).
    static func firstLine(_ pipe: Pipe) throws -> String? {
        var line = [UInt8]()
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1)?.first {
            if byte == 0x0A { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return nil
    }

    /// The rules stand-in (right only when the instruction states the hidden rules) on a free port.
    static func standIn() throws -> (process: Process, url: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python!)
        p.arguments = [repo + "/share/mkspy/bench/rules_lm.py", "--rules", task + "/rules.json", "--port", "0", "--max-seconds", "600"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let port = try JSON.parse(Array((try firstLine(out) ?? "").utf8))["port"]?.intValue ?? 0
        return (p, "http://127.0.0.1:\(port)")
    }

    /// The environment the server runs in: the stand-in as task and reflection LM, its key.
    static func environment(lm: String, in dir: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["MKSPY_PYTHON"] = python!
        env["MKSPY_SHARE"] = repo + "/share/mkspy"
        env["MKSPY_LM"] = "openai/standin"
        env["MKSPY_LM_BASE"] = lm + "/v1"
        env["MKSPY_LM_KEY"] = secret
        env["DSPY_CACHEDIR"] = dir + "/dspy-cache"
        env["MKSPY_SERVE_TOKEN"] = nil
        return env
    }

    /// HTTP over curl: the status and the body.
    struct Response {
        var status: Int
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSON { (try? JSON.parse(body)) ?? .null }
        /// The body's JSON lines (events, an archive).
        var lines: [JSON] { text.split(separator: "\n").compactMap { try? JSON.parse(Array($0.utf8)) } }
    }

    static func http(_ method: String, _ url: String, body: [UInt8]? = nil, headers: [String] = ["Content-Type: application/json"],
                     timeout: Int = 300) throws -> Response {
        let dir = NSTemporaryDirectory()
        let id = UUID().uuidString
        let out = dir + "curl-out-" + id, input = dir + "curl-in-" + id
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: input) }
        var arguments = ["-sS", "-N", "-m", String(timeout), "-X", method, "-o", out, "-w", "%{http_code}"]
        for h in headers { arguments += ["-H", h] }
        if let body {
            _ = FileManager.default.createFile(atPath: input, contents: Data(body))
            arguments += ["--data-binary", "@" + input]
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: curl!)
        p.arguments = arguments + [url]
        let status = Pipe()
        p.standardOutput = status
        p.standardError = FileHandle.nullDevice
        try p.run()
        let code = String(decoding: status.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return Response(status: Int(code) ?? 0, body: Array(FileManager.default.contents(atPath: out) ?? Data()))
    }

    /// A running mkspy-serve on 127.0.0.1, port 0, its URL read from the first line of stdout.
    final class Server {
        let process: Process
        let url: String

        init(dir: String, environment: [String: String], arguments: [String] = []) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: Serve.products + "/mkspy-serve")
            process.arguments = ["--port", "0", "--dir", dir + "/jobs", "-q"] + arguments
            process.environment = environment
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            let out = Pipe()
            process.standardOutput = out
            let log = dir + "/server-\(UUID().uuidString).err"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            url = try Serve.firstLine(out) ?? ""
        }

        /// SIGKILL, as a crash: nothing of the server runs its shutdown.
        func crash() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }

        func get(_ path: String) throws -> Response { try Serve.http("GET", url + path) }

        /// Polls the job until `done(status)` holds (its status JSON), at most `seconds`.
        func wait(_ id: String, seconds: Double = 240, until done: (JSON) -> Bool) throws -> JSON {
            let deadline = Date().addingTimeInterval(seconds)
            var status = JSON.null
            repeat {
                status = try get("/jobs/\(id)").json
                if done(status) { return status }
                Thread.sleep(forTimeInterval: 0.2)
            } while Date() < deadline
            return status
        }
    }

    /// The rules task as a job: its spec, data and metric, the metric's rules written into its
    /// source (a python metric travels as source, and reads no file beside it).
    static func rulesJob(maxCalls: Int, children: Int = 1) throws -> JSON {
        func read(_ name: String) throws -> String { try String(contentsOfFile: task + "/" + name, encoding: .utf8) }
        func rows(_ name: String) throws -> JSON {
            .array(try read(name).split(separator: "\n").map { try JSON.parse(Array($0.utf8)) })
        }
        let loading = """
            with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules.json"), encoding="utf-8") as _f:
                RULES = json.load(_f)
            """
        let metric = try read("metric.py")
        guard metric.contains(loading) else { throw ServeTestError("the rules task's metric.py no longer loads rules.json as this test expects") }
        let source = metric.replacingOccurrences(of: loading, with: "RULES = json.loads(\(JSON.string(try read("rules.json")).text))")
        return [
            "spec": try JSON.parse(Array(try read("spec.json").utf8)),
            "metric": ["kind": "python", "source": .string(source), "function": "metric"],
            "train": try rows("train.jsonl"), "val": try rows("val.jsonl"), "test": try rows("test.jsonl"),
            "max_calls": .int(maxCalls), "children": .int(children), "seed": 1, "lm": "openai/standin",
        ]
    }

    /// Submits `job`; the new job's id.
    static func submit(_ job: JSON, to server: Server) throws -> String {
        let response = try http("POST", server.url + "/jobs", body: job.encoded)
        guard response.status == 201, response.json["status"] == "queued", let id = response.json["id"]?.stringValue else {
            throw ServeTestError("POST /jobs answered \(response.status): \(response.text)")
        }
        return id
    }

    /// The processes whose working directory is `dir` or under it: a job's tools.
    static func processes(in dir: String) -> [Int32] {
        let resolved = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.filter { pid in
            guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd") else { return false }
            return cwd == resolved || cwd.hasPrefix(resolved + "/")
        }
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
