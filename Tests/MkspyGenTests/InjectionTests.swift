import Foundation
import MkspyCore
import Testing

@testable import MkspyGen

/// Hostile text in every place a spec or genome puts text cannot change the program.
@Suite(.serialized) struct InjectionTests {
    /// Lone surrogates cannot live in a Swift String: the JSON reader makes them U+FFFD.
    static let loneSurrogate = (try? JSON.parse(#""half \ud800 pair \udfff""#).stringValue) ?? "?"

    static let hostile: [String] = [
        #"""; import os; os.system("x") #"#,
        #"'''; import os; os.system("x") #"#,
        "ends with a backslash \\",
        "\"\"\"",
        "\"quoted\"",
        "line one\nline two\r\nline three\rline four\n",
        "nul \u{0} tab \t bell \u{7} escape \u{1B}[31m del \u{7F}",
        "rtl \u{202E}gnp.exe\u{202C} mark \u{200F} bom \u{FEFF} zwsp \u{200B}",
        "emoji 🎉👍🏽 👩‍💻 and e\u{301}",
        "separators \u{2028} \u{2029} \u{85} nbsp \u{A0}",
        #"backslash sequences \n \x41 \u0041 \N{BULLET} \"#,
        "{0} %s {{}} f'{x}' $(rm -rf /) `id`",
        "\n    indented\n\tafter a tab\n",
        "'single' \"double\" '''triple''' \"\"\"triple\"\"\" \\\"",
        loneSurrogate,
        "\\\"\"\"\\",
    ]

    /// The spec in user form with texts from `text` and enumeration values `values`.
    static func specObject(_ text: (Int) -> String, values: [String]) -> JSONObject {
        let object: JSON = [
            "name": "hostile_text",
            "description": .string(text(0)),
            "types": [
                "Verdict": .array(values.map(JSON.string)),
                "Report": "str",
                "Finding": [
                    "detail": ["type": "str", "desc": .string(text(1))],
                    "verdict": "Verdict",
                    "note": ["type": "str | None", "desc": .string(text(2))],
                ],
            ],
            "inputs": ["report": "Report"],
            "outputs": ["finding": "Finding", "summary": "str"],
            "operations": [
                ["name": "inspect_report", "strategy": "cot",
                 "inputs": ["report": ["type": "Report", "desc": .string(text(3))]],
                 "outputs": ["finding": ["type": "Finding", "desc": .string(text(4))]],
                 "instruction": .string(text(5))],
                ["name": "summarize_finding",
                 "inputs": ["finding": "Finding"],
                 "outputs": ["summary": ["type": "str", "desc": .string(text(6))]],
                 "instruction": .string(text(7))],
            ],
            "metric": ["kind": "exact", "field": "summary"],
        ]
        return object.objectValue!
    }

    static func candidate(_ text: (Int) -> String, values: [String], extraKey: String) throws -> Candidate {
        let (spec, diagnostics) = validateSpec(specObject(text, values: values))
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map(\.message))")
        var genome = Genome(seed: spec)
        genome.modules["summarize_finding"]!.descriptions["finding"] = text(8)
        let finding: JSON = ["detail": .string(text(11)), "verdict": .string(values[0]), "note": nil]
        genome.modules["inspect_report"]!.demos = [
            ["report": .string(text(9)), "reasoning": .string(text(10)), "finding": finding,
             extraKey: [1, .number("2.5"), .number("-1e-3"), true, false, nil, .string(text(12))]],
        ]
        genome.modules["summarize_finding"]!.demos = [["finding": finding, "summary": .string(text(13))]]
        return Candidate(spec: spec, genome: genome)
    }

    @Test func hostileTextReadsBackAndKeepsStructure() throws {
        var cases = [JSON]()
        let benign = try Self.candidate({ _ in "x" }, values: ["v0", "v1", "v2"], extraKey: "k")
        for options in [RenderOptions(), RenderOptions(async: true, stream: true)] {
            let plain = try Renderer.render(benign, options: options)
            for rotation in 0..<Self.hostile.count {
                let text = { (i: Int) in Self.hostile[(i + rotation) % Self.hostile.count] }
                let values = [text(0), text(1), text(2) + "!"]
                let extraKey = text(3) + "?"
                let hostile = try Self.candidate(text, values: values, extraKey: extraKey)
                let source = try Renderer.render(hostile, options: options)
                let finding: JSON = ["detail": .string(text(11)), "verdict": .string(values[0]), "note": nil]
                let expect: JSON = [
                    "docstrings": ["HostileText": .string(text(0)), "InspectReport": .string(text(5)),
                                   "SummarizeFinding": .string(text(7))],
                    "descriptions": ["InspectReport.report": .string(text(3)), "InspectReport.finding": .string(text(4)),
                                     "SummarizeFinding.summary": .string(text(6)), "SummarizeFinding.finding": .string(text(8))],
                    "model_descriptions": ["Finding.detail": .string(text(1)), "Finding.note": .string(text(2))],
                    "enums": ["Verdict": .array(values.map(JSON.string))],
                    "demos": [
                        "inspect_report.predict": [["report": .string(text(9)), "reasoning": .string(text(10)), "finding": finding,
                                                    extraKey: [1, .number("2.5"), .number("-1e-3"), true, false, nil, .string(text(12))]]],
                        "summarize_finding": [["finding": finding, "summary": .string(text(13))]],
                    ],
                ]
                cases.append(["label": .string("rotation \(rotation) async \(options.async)"), "adversarial": .string(source),
                              "benign": .string(plain), "class_name": "HostileText", "expect": expect])
            }
        }
        let answer = try Support.runScript("ast_check.py", job: ["cases": .array(cases)])
        let results = try #require(answer["results"]?.arrayValue)
        #expect(results.count == cases.count)
        for result in results {
            let errors = result["errors"]?.arrayValue?.compactMap(\.stringValue) ?? ["no errors member"]
            #expect(errors.isEmpty, "\(result["label"]?.stringValue ?? "?"): \(errors.prefix(3).joined(separator: "\n"))")
        }
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() {
        #expect(Self.loneSurrogate == "half \u{FFFD} pair \u{FFFD}")
        #expect(PythonLiteral.string(Self.loneSurrogate) == "\"half \u{FFFD} pair \u{FFFD}\"")
    }

    @Test func unsafeNamesAreRefused() throws {
        var spec = try Support.exampleSpec("summarize")
        for bad in ["self", "dspy", "signature", "instructions", "model_name", "str", "x-y", "class", "reasoning"] {
            var changed = spec
            changed.operations[0].inputs[0].name = bad
            changed.inputs[0].name = bad
            #expect(throws: RenderError.self, "field '\(bad)'") {
                try Renderer.render(Candidate(spec: changed, genome: Genome(seed: changed)))
            }
        }
        var genome = Genome(seed: spec)
        genome.modules["summarize_article"]!.demos = [["article": .number("1); import os; (1")]]
        #expect(throws: RenderError.self) { try Renderer.render(Candidate(spec: spec, genome: genome)) }
        spec.operations[0].name = "forward"
        #expect(throws: RenderError.self) { try Renderer.render(Candidate(spec: spec, genome: Genome(seed: spec))) }
    }
}
