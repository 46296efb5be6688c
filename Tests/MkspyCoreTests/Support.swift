import Foundation
@testable import MkspyCore

/// Parses JSON text that a test wrote, failing loudly if the test itself is wrong.
func object(_ text: String) -> JSONObject {
    guard case .object(let o) = try! JSON.parse(text) else { fatalError("test JSON is not an object: \(text)") }
    return o
}

/// Validates a spec given as JSON text.
func validate(_ text: String) -> (spec: Spec, diagnostics: [Diagnostic]) {
    validateSpec(object(text))
}

extension Array where Element == Diagnostic {
    var errors: [Diagnostic] { filter { $0.severity == .error } }
    var warnings: [Diagnostic] { filter { $0.severity == .warning } }
    var rules: [String] { map(\.rule) }
    var ruleSet: Set<String> { Set(map(\.rule)) }
}

/// A file in a fresh temporary directory, removed by the caller's `defer`.
struct TempFile {
    let path: String
    let directory: URL

    init(_ bytes: [UInt8], name: String = "input.jsonl") {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-core-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent(name).path
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    init(_ text: String, name: String = "input.jsonl") { self.init(Array(text.utf8), name: name) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
