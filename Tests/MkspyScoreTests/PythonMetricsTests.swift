import Foundation
import MkspyCore
import Testing

@testable import MkspyScore

/// mkspy's built-in metrics in Python (share/mkspy/worker/mkspy_worker/metrics.py, for
/// dspy.Evaluate and dspy.GEPA) give the scores and feedback of the Swift ones mkspy-score runs,
/// on every example of the bundled data: each example against itself, against the next one of
/// its file, and against a changed copy, for every kind, on every field and on all at once.
@Suite struct PythonMetricsTests {
    static let kinds: [JSONObject] = [["kind": "exact"], ["kind": "f1"], ["kind": "contains"],
                                      ["kind": "numeric", "tolerance": .double(0.01)], ["kind": "json"]]

    /// Every .jsonl example under share/mkspy/examples, by file.
    static func bundledData() -> [(file: String, examples: [JSONObject])] {
        let root = Fixture.repo + "/share/mkspy/examples"
        let directories = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        return directories.flatMap { directory in
            (((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + directory)) ?? []).sorted())
                .filter { $0.hasSuffix(".jsonl") }
                .map { file in ("\(directory)/\(file)", Fixture.records("\(root)/\(directory)/\(file)").compactMap(\.objectValue)) }
        }
    }

    /// A copy that differs the way a wrong prediction does: words dropped and added, numbers
    /// scaled, a member left out, an item changed.
    static func changed(_ value: JSON, _ depth: Int = 0) -> JSON {
        switch value {
        case .string(let s):
            let words = s.split(separator: " ")
            return .string((words.prefix(max(1, words.count / 2)) + ["also", "Maybe!"]).joined(separator: " "))
        case .number(let n): return depth % 2 == 0 ? .double((Double(n) ?? 0) * 10) : .double((Double(n) ?? 0) + 1.5)
        case .bool(let b): return .bool(!b)
        case .array(let items): return .array(items.dropLast().map { changed($0, depth + 1) } + ["extra"])
        case .object(let o):
            var copy = JSONObject()
            for (i, (k, v)) in o.enumerated() where i != 1 { copy[k] = i == 0 ? changed(v, depth + 1) : v }
            copy["surplus"] = .null
            copy["added"] = 3
            return .object(copy)
        case .null: return "none"
        }
    }

    @Test(.enabled(if: Fixture.python != nil, "needs the DSPy runtime"))
    func pythonAndSwiftAgreeOnTheBundledData() throws {
        var cases = [JSON](), expected = [MetricResult]()
        for (_, examples) in Self.bundledData() where !examples.isEmpty {
            for (i, gold) in examples.enumerated() {
                var fields = gold
                fields["id"] = nil
                let other = examples[(i + 1) % examples.count]
                var wrong = JSONObject()
                for (k, v) in fields { wrong[k] = Self.changed(v) }
                for prediction in [fields, other, wrong] {
                    for kind in Self.kinds {
                        for field in fields.keys.map(Optional.some) + [nil] {
                            var metric = kind
                            metric["field"] = field.map(JSON.string)
                            // As the script reads it: members in the order JSON.text writes them.
                            let text = JSON.object(["metric": .object(metric), "gold": .object(fields), "prediction": .object(prediction),
                                                    "outputs": .array(fields.keys.map(JSON.string))]).text
                            let read = try JSON.parse(Array(text.utf8))
                            let result = BuiltinMetric(metric)!.evaluate(
                                gold: read["gold"]?.objectValue ?? [:], prediction: read["prediction"]?.objectValue ?? [:],
                                outputs: fields.keys)
                            cases.append(read)
                            expected.append(result)
                        }
                    }
                }
            }
        }
        // Edge cases a bug hunt found the two sides (or the metric) getting wrong: a number as
        // written and as read, empty golds, canonically equal text, an emoji sequence, digits
        // of another script, "NaN" and "inf" for a number.
        let edges: [(JSON, JSON)] = [(.number("120.50"), .number("120.5")), ("", ""), ("the", "the"), ("caf\u{E9}", "cafe\u{301}"),
                                     ("great", "great \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"), (.number("123"), "\u{661}\u{662}\u{663}"),
                                     (5, "NaN"), (5, "inf"),
                                     (["tags": ["a", "b", "c"], "name": "n"], ["name": "n"]), (["tags": ["a", "b", "c"], "name": "n"], ["name": "n", "tags": []])]
        for (gold, prediction) in edges {
            for kind in Self.kinds {
                var metric = kind
                metric["field"] = "x"
                let read = try JSON.parse(Array(JSON.object(["metric": .object(metric), "gold": ["x": gold], "prediction": ["x": prediction],
                                                             "outputs": ["x"]]).text.utf8))
                cases.append(read)
                expected.append(BuiltinMetric(metric)!.evaluate(gold: read["gold"]?.objectValue ?? [:],
                                                                prediction: read["prediction"]?.objectValue ?? [:], outputs: ["x"]))
            }
        }
        let edge = { (kind: String, gold: JSON, prediction: JSON) in
            BuiltinMetric(["kind": .string(kind), "field": "x"])!.evaluate(gold: ["x": gold], prediction: ["x": prediction], outputs: ["x"]).score
        }
        #expect(edge("f1", .number("120.50"), .number("120.5")) == 1 && edge("contains", .number("120.50"), .number("120.5")) == 1)
        #expect(edge("contains", "", "") == 1 && edge("contains", "the", "the") == 1 && edge("contains", "", "words") == 0)
        #expect(edge("numeric", 5, "NaN") == 0 && edge("numeric", 5, "inf") == 0)
        // A list left out scores as an empty one: 3 of 7 gold leaves either way.
        let record: JSON = ["name": "n", "tags": ["a", "b", "c", "d"], "city": "c", "zip": "z"]
        #expect(edge("json", record, ["name": "n", "tags": [], "city": "c", "zip": "z"]) == 3.0 / 7
                && edge("json", record, ["name": "n", "city": "c", "zip": "z"]) == 3.0 / 7)
        #expect(cases.count > 5000)
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let job = directory + "/job.json"
        Fixture.write(JSON.object(["cases": .array(cases)]).text, to: job)
        let outcome = try run(Fixture.python!, [Fixture.repo + "/Tests/MkspyScoreTests/Fixtures/metric_agreement.py",
                                                Fixture.repo + "/share/mkspy", job], in: directory)
        #expect(outcome.status == 0, "\(outcome.stdout.prefix(2000)) \(outcome.stderr.suffix(2000))")
        let results = try #require(try JSON.parse(Array(outcome.stdout.utf8))["results"]?.arrayValue)
        try #require(results.count == cases.count)
        var disagreements = 0
        for (i, (python, swift)) in zip(results, expected).enumerated() {
            let score = python[0]?.doubleValue ?? -1, feedback = python[1]?.stringValue ?? ""
            guard abs(score - swift.score) > 1e-9 || feedback != swift.feedback else { continue }
            disagreements += 1
            if disagreements <= 5 {
                Issue.record("case \(i) \(cases[i]["metric"]?.text ?? ""): Swift \(swift.score) \"\(swift.feedback)\", Python \(score) \"\(feedback)\"\n gold \(cases[i]["gold"]?.text.prefix(300) ?? "") pred \(cases[i]["prediction"]?.text.prefix(300) ?? "")")
            }
        }
        #expect(disagreements == 0, "\(disagreements) of \(cases.count) cases disagree")
    }
}

extension PythonMetricsTests {
    /// A python (or judge) metric from metric_from scores as mkspy-score reads it: in [0, 1],
    /// a score outside clamped and said so (GEPA's accounting breaks on a 7.5).
    @Test(.enabled(if: Fixture.python != nil, "needs the DSPy runtime"))
    func aWorkerMetricFromPythonIsClampedAsMkspyScoreReadsIt() throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        Fixture.write("def metric(gold, pred, trace=None):\n    return 7.5\n", to: directory + "/wild.py")
        let script = """
            import sys; sys.path.insert(0, sys.argv[1] + "/worker")
            import dspy
            from mkspy_worker.metrics import metric_from
            m = metric_from({"kind": "python", "path": "wild.py", "function": "metric"}, spec_dir=sys.argv[2])
            r = m(dspy.Example(x=1), dspy.Prediction(x=1))
            print(r.score, r.feedback)
            """
        let outcome = try run(Fixture.python!, ["-c", script, Fixture.repo + "/share/mkspy", directory], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr.suffix(1000))")
        #expect(outcome.stdout.hasPrefix("1.0 ") && outcome.stdout.contains("clamped"), "\(outcome.stdout)")
    }
}

extension JSON {
    fileprivate subscript(index: Int) -> JSON? { arrayValue.flatMap { index < $0.count ? $0[index] : nil } }
}
