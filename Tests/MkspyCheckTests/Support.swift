import Foundation
import MkspyCheck
import MkspyCore

/// The package root: the nearest folder above this file that holds Package.swift.
let packageRoot: String = {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while dir.path != "/", !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
        dir = dir.deletingLastPathComponent()
    }
    return dir.path
}()

/// The folder of the built tools: the one that holds this test executable.
let productsDir: String = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path

/// A built tool beside the test executable, or nil when it has not been built.
func tool(_ name: String) -> String? {
    let path = "\(productsDir)/\(name)"
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
}

/// The clean corpus: (file name, bytes), sorted by name.
let corpus: [(name: String, bytes: [UInt8])] = {
    let dir = "\(packageRoot)/share/mkspy/check-corpus"
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".py") }.sorted()
    return names.map { ($0, Array(FileManager.default.contents(atPath: "\(dir)/\($0)") ?? Data())) }
}()

/// The example specs under share/mkspy/examples.
let exampleSpecs: [String] = {
    let dir = "\(packageRoot)/share/mkspy/examples"
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    return names.map { "\(dir)/\($0)/spec.json" }.filter { FileManager.default.fileExists(atPath: $0) }
}()

/// What a finished shell command left.
struct Outcome {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var lines: [String] {
        String(decoding: stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// Runs `command` with sh in the package root, the built tools first on PATH.
func shell(_ command: String, stdin: [UInt8]? = nil) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = productsDir + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    process.environment = environment
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
    try input.fileHandleForWriting.close()
    // Read both pipes before waiting: a large output would otherwise block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let errData = errBox.data
    process.waitUntilExit()
    return Outcome(status: process.terminationStatus, stdout: Array(outData), stderr: String(decoding: errData, as: UTF8.self))
}

/// Candidates rendered by mkspy-gen from every example spec with `options`.
func generatedCandidates(_ options: String) throws -> [JSONObject] {
    var result = [JSONObject]()
    for spec in exampleSpecs {
        let run = try shell("mkspy-spec '\(spec)' | mkspy-gen \(options)")
        for line in run.lines {
            if case .object(let o) = try JSON.parse(Array(line.utf8)), o["kind"]?.stringValue == "candidate" { result.append(o) }
        }
    }
    return result
}

/// Checks a program in-process.
func check(_ source: String, _ mode: CheckMode = .file(strict: true), candidate: Candidate? = nil) -> [Diagnostic] {
    checkProgram(Array(source.utf8), mode: mode, candidate: candidate)
}

/// The 1-based line on which `needle` first occurs in `text`.
func lineOf(_ needle: String, in text: String) -> Int? {
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains(needle) {
        return i + 1
    }
    return nil
}

extension String {
    /// The text with every whole-word occurrence of `word` replaced.
    func replacingWord(_ word: String, with replacement: String) -> String {
        var out = ""
        var i = startIndex
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        while i < endIndex {
            if self[i...].hasPrefix(word),
               i == startIndex || !isWordChar(self[index(before: i)]),
               index(i, offsetBy: word.count) == endIndex || !isWordChar(self[index(i, offsetBy: word.count)]) {
                out += replacement
                i = index(i, offsetBy: word.count)
            } else {
                out.append(self[i])
                i = index(after: i)
            }
        }
        return out
    }
}
