import Foundation
import Testing

/// The EXAMPLES of every man page run as tests: in each `.Bd -literal` block, a line
/// starting with `$ ` is a command run by sh from the repository root with the built tools
/// first on PATH and MKSPY_SHARE naming the repository's share/mkspy (as an installation's
/// would), and the lines after it, up to the next command, are its exact stdout.
@Suite struct ManPageExamplesTests {
    struct Example: CustomTestStringConvertible, Sendable {
        let page: String
        let command: String
        let expected: String
        var testDescription: String { "\(page): \(command.prefix(60))" }
    }

    static let root = URL(fileURLWithPath: packageRoot)

    static var examples: [Example] {
        let pages = ["man/man1", "man/man7"].flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? [])
                .sorted().map { "\(dir)/\($0)" }
        }
        return pages.flatMap { examples(in: $0) }
    }

    static func examples(in page: String) -> [Example] {
        guard let text = try? String(contentsOf: root.appendingPathComponent(page), encoding: .utf8) else { return [] }
        var result = [Example]()
        var inExamples = false, inBlock = false
        var command: String?
        var output = [String]()
        func flush() {
            if let c = command { result.append(Example(page: page, command: c, expected: output.map { $0 + "\n" }.joined())) }
            command = nil
            output = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix(".Sh ") { inExamples = line == ".Sh EXAMPLES" }
            guard inExamples else { continue }
            if line.hasPrefix(".Bd -literal") { inBlock = true; continue }
            if line.hasPrefix(".Ed") { flush(); inBlock = false; continue }
            guard inBlock else { continue }
            let unescaped = line.replacingOccurrences(of: "\\e", with: "\\").replacingOccurrences(of: "\\-", with: "-")
            if unescaped.hasPrefix("$ ") {
                flush()
                command = String(unescaped.dropFirst(2))
            } else if command != nil {
                output.append(unescaped)
            }
        }
        return result
    }

    @Test func everyPageHasExamples() {
        let pages = Set(Self.examples.map(\.page))
        #expect(pages.contains("man/man1/mkspy-spec.1"))
        #expect(pages.contains("man/man7/mkspy.7"))
    }

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        let products = try #require(toolPath("mkspy-spec").map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", example.command]
        process.currentDirectoryURL = Self.root
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = products + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["MKSPY_SHARE"] = Self.root.appendingPathComponent("share/mkspy").path
        process.environment = environment
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(decoding: data, as: UTF8.self) == example.expected, "\(example.page): $ \(example.command)")
    }
}
