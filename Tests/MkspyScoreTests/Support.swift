import Foundation
import MkspyCore
import MkspyRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Paths, candidates and processes the scoring tests share.
enum Fixture {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let sentiment = repo + "/share/mkspy/examples/sentiment_python_metric"
    static let program = (try? String(contentsOfFile: repo + "/Tests/MkspyScoreTests/Fixtures/sentiment_program.py", encoding: .utf8)) ?? ""
    static let standIn = repo + "/share/mkspy/standin/standin_lm.py"
    static let reference = repo + "/share/mkspy/bench/evaluate_reference.py"

    /// The Python with DSPy (MKSPY_PYTHON, or the runtime mkspy sets up).
    static let python: String? = try? PythonEnvironment.python(progress: false)

    /// mkspy-score, built beside the test bundle.
    static var binary: String {
        let exe = absolutePath("/proc/self/exe")
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path + "/mkspy-score"
    }

    /// A fresh directory for one test.
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "mkspy-score-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The sentiment spec, read as mkspy-spec reads it.
    static func spec() -> Spec {
        let object = (try? JSON.parse(readFile(sentiment + "/spec.json") ?? []))?.objectValue ?? [:]
        var (spec, _) = validateSpec(object)
        spec.path = sentiment + "/spec.json"
        return spec
    }

    /// Checked candidates of the sentiment spec, one per (tag, Python body of `forward`); a
    /// nil body is the hand-written program as it is.
    static func candidates(_ variants: [(tag: String, forward: String?)]) -> String {
        let spec = spec()
        return variants.map { variant in
            var genome = Genome(seed: spec)
            genome.modules["classify_sentiment"]!.instruction += " (\(variant.tag))"
            var candidate = Candidate(spec: spec, genome: genome)
            // The tag goes into the prompt too, so that candidates never share LM requests.
            var source = program.replacingOccurrences(of: "the product overall.", with: "the product overall (\(variant.tag)).")
            if let body = variant.forward {
                source = source.replacingOccurrences(of: "result = self.classify_sentiment(review=review)", with: body)
            }
            candidate.source = source
            candidate.check = CheckResult(diagnostics: [], source: Array(source.utf8))
            return candidate.json.text + "\n"
        }.joined()
    }

    /// `count` sentiment examples with distinct reviews.
    static func examples(_ count: Int, prefix: String = "ex") -> String {
        let labels = ["positive", "negative", "neutral", "mixed"]
        return (0..<count).map { i in
            JSON.object(["id": .string("\(prefix)-\(i)"), "review": .string("Review \(prefix) \(i): the item number \(i * 7) arrived."),
                         "sentiment": .string(labels[i % 4])]).text + "\n"
        }.joined()
    }

    static func write(_ text: String, to path: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) }

    /// JSON Lines of a file.
    static func records(_ path: String) -> [JSON] {
        String(decoding: readFile(path) ?? [], as: UTF8.self).split(separator: "\n").compactMap { try? JSON.parse(Array($0.utf8)) }
    }
}

/// The LM stand-in, on a port of its own; stopped when the object goes away.
final class StandIn {
    let process = Process()
    let port: Int

    init(_ arguments: [String]) throws {
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: Fixture.python ?? "/usr/bin/python3")
        process.arguments = [Fixture.standIn, "--max-seconds", "120"] + arguments
        process.standardOutput = stdout
        try process.run()
        var line = [UInt8]()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte.first == 0x0A { break }
            line.append(contentsOf: byte)
        }
        port = (try? JSON.parse(line))?["port"]?.intValue ?? 0
    }

    deinit { process.terminate(); process.waitUntilExit() }

    var base: String { "http://127.0.0.1:\(port)/v1" }

    /// GET /stats.
    func stats() -> JSON { (try? JSON.parse(Array(request("GET", "/stats").utf8))) ?? .null }

    /// POST /control: changes the stand-in's settings (`fail_rate`, `fail_mix`, …).
    func control(_ settings: JSON) { _ = request("POST", "/control", body: settings.text) }

    /// A plain HTTP/1.0 request over a socket; the response body.
    func request(_ method: String, _ path: String, body: String = "") -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        let text = Array("\(method) \(path) HTTP/1.0\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        _ = text.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
        var response = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress, 4096) }
            if n <= 0 { break }
            response.append(contentsOf: chunk[0..<n])
        }
        let body = String(decoding: response, as: UTF8.self)
        return body.range(of: "\r\n\r\n").map { String(body[$0.upperBound...]) } ?? ""
    }
}

/// A finished run of a command: its status and what it wrote.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a command with its output in files (no pipe can fill up).
/// `environment` is added to ours; `cwd` is the working directory (default ours).
func run(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String] = [:], cwd: String? = nil,
         started: ((Process) -> Void)? = nil) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = directory + "/stdout-\(UUID().uuidString)", err = directory + "/stderr-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    started?(process)
    process.waitUntilExit()
    return Outcome(status: process.terminationStatus,
                   stdout: String(decoding: readFile(out) ?? [], as: UTF8.self),
                   stderr: String(decoding: readFile(err) ?? [], as: UTF8.self))
}

/// The candidate records of mkspy-score's output.
func scoredCandidates(_ stdout: String) -> [JSONObject] {
    stdout.split(separator: "\n").compactMap { try? JSON.parse(Array($0.utf8)) }.compactMap(\.objectValue)
        .filter { $0["kind"]?.stringValue == "candidate" }
}
