import Foundation
import Testing

/// The differential scripts of share/mkspy/python-ast say what to build when pyast is missing.
@Suite struct ScriptTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../share/mkspy/python-ast").standardizedFileURL.path

    @Test(arguments: ["bench.py", "compare.py", "mutants.py"])
    func missingReleaseBuildIsAUsageError(_ script: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "\(Self.scripts)/\(script)", "--bin", "/nonexistent/release/pyast"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(text.contains("\(script): no pyast binary at /nonexistent/release/pyast: build it with 'swift build -c release'"), "\(text)")
        #expect(!text.contains("Traceback"))
    }
}
