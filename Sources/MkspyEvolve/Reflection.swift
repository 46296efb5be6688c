import Foundation
import MkspyCore
import MkspyRuntime

/// The reflection LM's settings: `--reflection-lm`, else `MKSPY_REFLECTION_LM`, else the task
/// LM (`MKSPY_LM`); base and key likewise, defaulting to the task LM's.
public struct ReflectionLM: Sendable {
    public var model: String
    public var base: String?
    public var key: String?

    public init(model: String, base: String? = nil, key: String? = nil) { self.model = model; self.base = base; self.key = key }

    var json: JSON {
        ["model": .string(model), "api_base": base.map(JSON.string) ?? .null, "api_key": key.map(JSON.string) ?? .null]
    }
}

/// A reflector that runs `share/mkspy/evolve/reflect.py` (a DSPy signature) under the runtime
/// Python, all requests in one process and in parallel. A failure leaves every answer nil and
/// says why on stderr.
public func pythonReflector(lm: ReflectionLM, jobs: Int, quiet: Bool) -> Reflector {
    return { requests in
        guard !requests.isEmpty else { return [] }
        let python: String
        do throws(RuntimeError) { python = try PythonEnvironment.python(progress: !quiet) } catch {
            printError("mkspy-evolve: reflection skipped: \(error.message)")
            return requests.map { _ in nil }
        }
        let script = PythonEnvironment.shareDirectory + "/evolve/reflect.py"
        var input = [UInt8]()
        let config: JSON = ["lm": lm.json, "jobs": .int(jobs)]
        for line in [config] + requests.map(\.json) { input += line.encoded + [0x0A] }
        guard let output = runProcess([python, script], input: input) else {
            printError("mkspy-evolve: reflection failed: \(python) \(script) did not run cleanly; children fall back to demos and strategy changes")
            return requests.map { _ in nil }
        }
        var answers = [String?](repeating: nil, count: requests.count)
        for line in output.split(separator: 0x0A) {
            guard let json = try? JSON.parse(Array(line)), let i = json["index"]?.intValue, answers.indices.contains(i) else { continue }
            if let text = json["instruction"]?.stringValue { answers[i] = text }
            if let message = json["error"]?.stringValue, !quiet { printError("mkspy-evolve: reflection on \(requests[i].module): \(message)") }
        }
        return answers
    }
}

/// Runs a command with `input` on stdin; its stderr is ours. Its stdout, or nil when it fails.
func runProcess(_ argv: [String], input: [UInt8]) -> [UInt8]? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: argv[0])
    process.arguments = Array(argv.dropFirst())
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    do { try process.run() } catch { return nil }
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? Array(data) : nil
}
