import Foundation
import MkspyCore
import MkspyRuntime
import Testing

@testable import MkspySpec

/// Fixture programs, the built binaries and the runtime's Python, for the MkspySpec tests.
enum Support {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static func program(_ name: String) -> String { name.hasPrefix("/") ? name : "\(fixtures)/programs/\(name).py" }
    static let examples = URL(fileURLWithPath: fixtures).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("share/mkspy/examples").path

    /// The fixture programs in DSPy's documented styles, with their module classes.
    static let programs: [(file: String, cls: String)] = [
        ("rag", "RAG"), ("strings", "Summarize"), ("typed", "Analyze"), ("agent", "Assistant"),
        ("multihop", "MultiHop"), ("aliased", "Translator"), ("wrappers", "Careful"), ("retrieve", "Retriever"),
        ("containers", "Review"), ("inherited", "Layered"), (examples + "/rag_program/rag.py", "RAG"), (examples + "/atlas_program/atlas.py", "AtlasQA"),
    ]

    /// The spec mkspy-spec writes for a fixture program, and its findings.
    static func read(_ name: String, module: String? = nil, metric: Metric? = nil) throws -> (spec: Spec, diagnostics: [Diagnostic]) {
        let bytes = try #require(readFile(program(name)), "cannot read \(program(name))")
        return SpecTool.programSpec(bytes, path: program(name), className: module, metric: metric)
    }

    static func messages(_ diagnostics: [Diagnostic], _ rule: SpecRule) -> [String] {
        diagnostics.filter { $0.rule == rule.rawValue }.map(\.message)
    }

    /// A binary built beside this test bundle.
    static func binary(_ name: String) -> String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: bundle).deletingLastPathComponent()
        if directory.pathExtension == "xctest" { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent(name).path
    }

    struct Output { var status: Int32; var stdout: [UInt8]; var stderr: String }

    final class Box: @unchecked Sendable { var data = Data() }

    /// Runs a program with `input` on stdin; pipes are drained before waiting.
    static func run(_ argv: [String], input: [UInt8] = []) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (stdin, stdout, stderr)
        try process.run()
        let errorData = Box()
        let done = DispatchSemaphore(value: 0)
        let writing = stdin.fileHandleForWriting, reading = stderr.fileHandleForReading
        Thread.detachNewThread {
            writing.write(Data(input))
            try? writing.close()
        }
        Thread.detachNewThread {
            errorData.data = reading.readDataToEndOfFile()
            done.signal()
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: Array(out), stderr: String(decoding: errorData.data, as: UTF8.self))
    }

    /// The JSON Lines records a tool wrote.
    static func records(_ output: Output) throws -> [JSON] {
        try String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    /// Runs a fixture script under the runtime's Python with a JSON job; returns its answer.
    static func runScript(_ script: String, job: JSON) throws -> JSON {
        let python: String
        do { python = try PythonEnvironment.python(progress: true) } catch {
            Issue.record("the DSPy runtime is not available: \(error.message)")
            throw error
        }
        let jobPath = NSTemporaryDirectory() + "mkspy-spec-job-\(UUID().uuidString).json"
        try Data(job.encoded).write(to: URL(fileURLWithPath: jobPath))
        defer { try? FileManager.default.removeItem(atPath: jobPath) }
        let output = try run([python, "\(fixtures)/\(script)", jobPath])
        #expect(output.status == 0, "\(script) failed: \(output.stderr.suffix(3000))")
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n")
        return try JSON.parse(String(lines.last ?? ""))
    }
}
