import MkspyCore
import Testing

/// Every program mkspy-gen renders from share/mkspy/examples, in every strategy and
/// option, passes mkspy-check with zero findings.
@Suite struct GeneratedProgramsTests {
    static let options = [
        "--strategies predict,cot,react",
        "--strategies predict,cot,react --async",
        "--strategies predict,cot,react --stream",
        "--strategies predict,cot,react --async --stream",
    ]

    @Test(arguments: options)
    func generatedProgramsAreClean(_ options: String) throws {
        try #require(tool("mkspy-gen") != nil, "mkspy-gen is not built beside the tests (\(productsDir)); build the package first")
        try #require(tool("mkspy-check") != nil && tool("mkspy-spec") != nil, "mkspy-spec and mkspy-check must be built")
        #expect(exampleSpecs.count >= 6)
        var total = 0
        for spec in exampleSpecs {
            let run = try shell("mkspy-spec '\(spec)' | mkspy-gen \(options) | mkspy-check")
            #expect(run.status == 0, "\(spec) \(options): exit \(run.status)\n\(run.stderr)")
            var checked = 0
            for line in run.lines {
                guard case .object(let record) = try JSON.parse(Array(line.utf8)), record["kind"]?.stringValue == "candidate" else { continue }
                checked += 1
                let diagnostics = record["check"]?["diagnostics"]?.arrayValue
                #expect(record["check"]?["ok"] == .bool(true))
                #expect(diagnostics?.isEmpty == true, "\(spec) \(options): \(diagnostics ?? [])")
            }
            // One candidate per strategy that applies (react only to operations with tools).
            #expect(checked >= 1, "\(spec) \(options): no candidate was generated")
            total += checked
        }
        #expect(total >= 2 * exampleSpecs.count)
    }
}
