import Foundation
import MkspyCore
import MkspyRuntime
import Testing

@testable import MkspyGen

/// Paths, processes and the Python harness shared by the MkspyGen tests.
enum Support {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures").path
    static let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let examples = packageRoot.appendingPathComponent("share/mkspy/examples").path

    /// The example directories, sorted.
    static var exampleNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: examples)) ?? [])
            .filter { FileManager.default.fileExists(atPath: "\(examples)/\($0)/spec.json") }.sorted()
    }

    /// The validated spec of an example, with its path (tool modules live beside it).
    static func exampleSpec(_ name: String) throws -> Spec {
        let path = "\(examples)/\(name)/spec.json"
        let json = try JSON.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
        let (spec, diagnostics) = validateSpec(try #require(json.objectValue))
        #expect(!diagnostics.contains { $0.severity == .error }, "\(name): \(diagnostics.map(\.message))")
        var withPath = spec
        withPath.path = path
        return withPath
    }

    /// The records of a JSON Lines file.
    static func jsonLines(_ path: String) throws -> [JSON] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    /// The mkspy-gen binary built beside this test bundle.
    static var genBinary: String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: bundle).deletingLastPathComponent()
        if directory.pathExtension == "xctest" { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent("mkspy-gen").path
    }

    final class Box: @unchecked Sendable { var data = Data() }

    struct Output { var status: Int32; var stdout: Data; var stderr: String }

    /// Runs a program with `input` on stdin; pipes are drained before waiting.
    static func run(_ argv: [String], input: Data = Data(), environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let errorData = Box()
        let done = DispatchSemaphore(value: 0)
        let writing = stdin.fileHandleForWriting, reading = stderr.fileHandleForReading
        Thread.detachNewThread {
            writing.write(input)
            try? writing.close()
        }
        Thread.detachNewThread {
            errorData.data = reading.readDataToEndOfFile()
            done.signal()
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: out, stderr: String(decoding: errorData.data, as: UTF8.self))
    }

    /// The runtime's Python, set up on first use (minutes, once per machine).
    static func python() throws -> String {
        do { return try PythonEnvironment.python(progress: true) } catch {
            Issue.record("the DSPy runtime is not available: \(error.message)")
            throw error
        }
    }

    /// Runs a Python script of the fixtures with a JSON job; returns its JSON answer.
    static func runScript(_ script: String, job: JSON) throws -> JSON {
        let jobPath = NSTemporaryDirectory() + "mkspy-gen-job-\(UUID().uuidString).json"
        try Data(job.encoded).write(to: URL(fileURLWithPath: jobPath))
        defer { try? FileManager.default.removeItem(atPath: jobPath) }
        let output = try run([try python(), "\(fixtures)/\(script)", jobPath])
        #expect(output.status == 0, "\(script) failed: \(output.stderr.suffix(3000))")
        // The answer is the last line; anything a program printed comes before it.
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n")
        return try JSON.parse(String(lines.last ?? ""))
    }

    /// One harness job entry for a rendered candidate.
    static func program(_ candidate: Candidate, label: String, examples: [JSON] = [], options: RenderOptions) throws -> JSON {
        [
            "label": .string(label),
            "source": .string(try Renderer.render(candidate, options: options)),
            "class_name": .string(GeneratedNames.classes(candidate.spec).program),
            "spec": candidate.spec.recordJSON,
            "examples": .array(examples),
            "async": .bool(options.async),
            "stream": .bool(options.stream),
        ]
    }

    /// Runs programs in one harness process and checks what every program must satisfy:
    /// no errors, outputs checked, state round-tripped, one predictor per operation.
    @discardableResult
    static func runUnderDSPy(_ programs: [(Candidate, JSON)]) throws -> [JSON] {
        let answer = try runScript("dspy_harness.py", job: ["programs": .array(programs.map(\.1))])
        let results = try #require(answer["results"]?.arrayValue)
        #expect(results.count == programs.count)
        for ((candidate, _), result) in zip(programs, results) {
            let label = result["label"]?.stringValue ?? "?"
            let errors = result["errors"]?.arrayValue?.compactMap(\.stringValue) ?? ["no errors member"]
            #expect(errors.isEmpty, "\(label): \(errors.prefix(3).joined(separator: "\n"))")
            #expect((result["checked"]?.intValue ?? 0) > 0, "\(label): no output was checked")
            #expect(result["roundtrip"] == .bool(true), "\(label): save/load did not round-trip")
            let names = (result["predictors"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(names == expectedPredictors(candidate), "\(label): named_predictors() gave \(names)")
            if candidate.genome.modules.values.contains(where: { $0.strategy == .react }) {
                #expect((result["tool_calls"]?.intValue ?? 0) > 0, "\(label): the react tool was never called")
            }
        }
        return results
    }

    /// What `named_predictors()` lists: per operation, in flow order, its own Predict, or
    /// the Predict inside ChainOfThought, or ReAct's two (`react` and `extract.predict`).
    static func expectedPredictors(_ candidate: Candidate) -> [String] {
        candidate.spec.operations.flatMap { op -> [String] in
            switch candidate.genome.modules[op.name]!.strategy {
            case .predict: [op.name]
            case .cot: ["\(op.name).predict"]
            case .react: ["\(op.name).react", "\(op.name).extract.predict"]
            }
        }
    }
}
