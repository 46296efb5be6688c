import Foundation
import MkspyCore
import MkspyRuntime
import Testing
@testable import MkspyEvolve

/// The reflect operator end to end: reflect.py (a DSPy signature, under the runtime Python)
/// against the benchmark's rules stand-in as the reflection LM.
@Suite struct ReflectionTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let python: String? = try? PythonEnvironment.python(progress: false)

    /// A stand-in LM (the script under the repository, then its flags) on a free port of 127.0.0.1.
    static func startStandIn(_ arguments: [String]) throws -> (Process, Int) {
        setenv("MKSPY_SHARE", repo + "/share/mkspy", 1)
        let standIn = Process()
        standIn.executableURL = URL(fileURLWithPath: python!)
        standIn.arguments = [repo + arguments[0]] + arguments.dropFirst() + ["--port", "0", "--max-seconds", "120"]
        let out = Pipe()
        standIn.standardOutput = out
        standIn.standardError = FileHandle.nullDevice
        try standIn.run()
        var line = [UInt8]()
        while let byte = try out.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
        return (standIn, try #require(try JSON.parse(line)["port"]?.intValue))
    }

    @Test(.enabled(if: python != nil, "needs the DSPy runtime (MKSPY_PYTHON or mkspy's own)"))
    func reflectWithTheRulesStandIn() throws {
        let (standIn, port) = try Self.startStandIn(["/share/mkspy/bench/rules_lm.py", "--rules",
                                                      Self.repo + "/share/mkspy/bench/rules_task/rules.json"])
        defer { standIn.terminate(); standIn.waitUntilExit() }

        let spec = Fixture.spec()
        let parent = Fixture.seed(spec, instruction: "Route the message.")
        var record = Fixture.record(parent, scores: ["t1": 0, "t2": 1, "t3": 0, "v1": 0.5])
        record["scores"] = [
            "t1": ["score": 0, "feedback": "Wrong: answered other, expected billing. The message mentions 'quartz': messages that mention 'quartz' go to billing.",
                   "trace": [["module": "classify", "inputs": ["message": "the quartz export"], "outputs": ["label": "other"]]]],
            "t2": ["score": 1, "feedback": "Correct: other.",
                   "trace": [["module": "classify", "inputs": ["message": "hello"], "outputs": ["label": "other"]]]],
            "t3": ["score": 0, "feedback": "Wrong: answered other, expected bug. The message mentions 'ember': messages that mention 'ember' go to bug.",
                   "trace": [["module": "classify", "inputs": ["message": "the ember report"], "outputs": ["label": "other"]]]],
            "v1": ["score": .double(0.5), "feedback": "half"],
        ]
        var options = EvolveOptions()
        options.train = ["t1", "t2", "t3"]
        options.val = ["v1"]
        let archive = Fixture.archive([record])
        let evolver = Evolver(archive: archive, options: options)
        let request = evolver.reflectionRequest(archive.entries[parent.id]!, module: "classify", batch: ["t1", "t2", "t3"])
        let reflector = pythonReflector(lm: LMConfig(model: "openai/standin", base: "http://127.0.0.1:\(port)/v1", key: "standin"),
                                        jobs: 2, cache: NSTemporaryDirectory() + "mkspy-reflection-\(UUID().uuidString)", quiet: true)
        let answers = reflector([request, request])
        #expect(answers.count == 2)
        let text = try #require(answers[0])
        #expect(text.hasPrefix("Route the message."))
        #expect(text.contains("Messages that mention 'quartz' go to billing."))
        #expect(text.contains("Messages that mention 'ember' go to bug."))
        #expect(answers[1] == answers[0])  // deterministic
        let child = try #require(reflect(parent.genome, module: "classify", instruction: text))
        #expect(child.modules["classify"]!.instruction == text)
        #expect(child.modules["classify"]!.strategy == parent.genome.modules["classify"]!.strategy)
    }

    /// A reflection whose reply does not parse is asked again past DSPy's cache, in its own
    /// step and in every later one, instead of being answered by the cached failure.
    @Test(.enabled(if: python != nil, "needs the DSPy runtime (MKSPY_PYTHON or mkspy's own)"))
    func aFailedReflectionIsRetriedPastTheCache() throws {
        let (standIn, port) = try Self.startStandIn(["/share/mkspy/standin/standin_lm.py", "--fail-rate", "1", "--fail-mix", "malformed"])
        defer { standIn.terminate(); standIn.waitUntilExit() }
        func calls() throws -> Int {  // the stand-in's GET /stats, read with the runtime's Python
            let get = Process()
            get.executableURL = URL(fileURLWithPath: Self.python!)
            get.arguments = ["-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
                             "http://127.0.0.1:\(port)/stats"]
            let body = Pipe()
            get.standardOutput = body
            try get.run()
            let data = body.fileHandleForReading.readDataToEndOfFile()
            get.waitUntilExit()
            return try #require(try JSON.parse(Array(data))["calls"]?.intValue)
        }

        let parent = Fixture.seed(Fixture.spec(), instruction: "Route the message.")
        let record = Fixture.record(parent, scores: ["t1": 0, "t2": 1, "t3": 0, "v1": 0.5])
        var options = EvolveOptions()
        options.train = ["t1", "t2", "t3"]
        options.val = ["v1"]
        let archive = Fixture.archive([record])
        let request = Evolver(archive: archive, options: options).reflectionRequest(archive.entries[parent.id]!, module: "classify", batch: ["t1", "t2", "t3"])
        let cache = NSTemporaryDirectory() + "mkspy-reflection-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let reflector = pythonReflector(lm: LMConfig(model: "openai/standin", base: "http://127.0.0.1:\(port)/v1", key: "standin"),
                                        jobs: 1, cache: cache, quiet: true)
        #expect(reflector([request]) == [nil])
        let first = try calls()
        #expect(first >= 3, "the first try and two retries reach the LM")
        // The same request in a later step (its "step" differs): its retries reach the LM again.
        var later = try #require(request.json.objectValue)
        later["step"] = 7
        #expect(reflector([ReflectionRequest(module: request.module, instruction: request.instruction, json: .object(later))]) == [nil])
        #expect(try calls() - first >= 2, "a later step's retries are not answered by the cache")
    }
}
