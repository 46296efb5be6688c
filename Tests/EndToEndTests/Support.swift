import Foundation
import MkspyCore

/// Finds a built tool beside the test executable, wherever the build directory is
/// (`.build/debug`, `--scratch-path X`, an .xctest bundle on macOS).
func toolPath(_ name: String) -> String? {
    if let dir = ProcessInfo.processInfo.environment["MKSPY_BIN_DIR"] { return "\(dir)/\(name)" }
    var starts = [CommandLine.arguments.first, Bundle.main.executablePath, Bundle.main.bundlePath].compactMap { $0 }
    starts += Bundle.allBundles.map(\.bundlePath).filter { $0.hasSuffix(".xctest") }
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { starts.append(exe) }
    for start in starts {
        var dir = URL(fileURLWithPath: start).standardizedFileURL
        for _ in 0..<5 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
    }
    return nil
}

/// The package root: the nearest folder above this file that holds Package.swift.
let packageRoot: String = {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while dir.path != "/", !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
        dir = dir.deletingLastPathComponent()
    }
    return dir.path
}()

/// A fresh temporary folder for one test.
struct Scratch {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-e2e-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    /// Writes a file and returns its path.
    @discardableResult
    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = url.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
    func file(_ name: String, _ text: String) -> String { file(name, Array(text.utf8)) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// What a finished process left behind.
struct Outcome {
    var status: Int32
    var stdout: [UInt8]
    var stderr: [UInt8]
    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
    /// Stdout split into lines (the final newline does not start an empty line).
    var lines: [String] {
        var parts = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        return parts
    }
    var errLines: [String] { err.split(separator: "\n").map(String.init) }
}

enum E2EError: Error { case missingTool(String) }

/// Runs `executable` with stdin from bytes and stdout/stderr into files (no pipes, so a
/// large output cannot deadlock the test).
func run(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil, in scratch: Scratch) throws -> Outcome {
    let id = UUID().uuidString
    let inPath = scratch.file("stdin-\(id)", stdin ?? [])
    let outPath = scratch.file("stdout-\(id)", [])
    let errPath = scratch.file("stderr-\(id)", [])
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = scratch.url
    let input = FileHandle(forReadingAtPath: inPath)!, output = FileHandle(forWritingAtPath: outPath)!,
        error = FileHandle(forWritingAtPath: errPath)!
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    process.waitUntilExit()
    try input.close(); try output.close(); try error.close()
    return Outcome(status: process.terminationStatus,
                   stdout: Array(FileManager.default.contents(atPath: outPath) ?? Data()),
                   stderr: Array(FileManager.default.contents(atPath: errPath) ?? Data()))
}

/// Runs mkspy-spec.
func mkspySpec(_ arguments: [String], stdin: [UInt8]? = nil, in scratch: Scratch) throws -> Outcome {
    guard let tool = toolPath("mkspy-spec") else { throw E2EError.missingTool("mkspy-spec") }
    return try run(tool, arguments, stdin: stdin, in: scratch)
}

func parseLine(_ line: String) throws -> JSON { try JSON.parse(line) }
