import MkspyCore

/// A score in [0, 1] and a sentence that says why.
public struct MetricResult: Equatable, Sendable {
    public var score: Double
    public var feedback: String
    public init(_ score: Double, _ feedback: String) { self.score = min(max(score, 0), 1); self.feedback = feedback }
}

/// The metrics computed here, from a prediction and the gold example. `python` and `judge`
/// metrics run in the worker instead.
public enum BuiltinMetric: Equatable, Sendable {
    /// Equal values; text compared after SQuAD normalization (case, punctuation, articles, spaces).
    case exact(field: String?)
    /// Token F1 of the normalized text, as SQuAD scores answers.
    case f1(field: String?)
    /// The prediction contains the gold text (normalized).
    case contains(field: String?)
    /// |prediction − gold| ≤ tolerance.
    case numeric(field: String?, tolerance: Double)
    /// Field-wise comparison of records and lists: the share of gold leaves matched.
    case json(field: String?)

    /// The built-in metric a metric object names; nil for `python`, `judge` and unknown kinds.
    public init?(_ metric: JSONObject) {
        let field = metric["field"]?.stringValue
        switch metric["kind"]?.stringValue {
        case "exact": self = .exact(field: field)
        case "f1": self = .f1(field: field)
        case "contains": self = .contains(field: field)
        case "numeric": self = .numeric(field: field, tolerance: metric["tolerance"]?.doubleValue ?? 0)
        case "json": self = .json(field: field)
        default: return nil
        }
    }

    var field: String? {
        switch self {
        case .exact(let f), .f1(let f), .contains(let f), .numeric(let f, _), .json(let f): f
        }
    }

    /// Scores a prediction against the gold example on the metric's field, or on every
    /// output (the mean) when it names none.
    public func evaluate(gold: JSONObject, prediction: JSONObject, outputs: [String]) -> MetricResult {
        let fields = field.map { [$0] } ?? outputs
        let results = fields.map { name -> MetricResult in
            guard let expected = gold[name] else { return MetricResult(0, "the example has no gold value for \(name)") }
            guard let actual = prediction[name], !actual.isNull else {
                return MetricResult(0, "\(name) is missing from the prediction; expected \(show(expected))")
            }
            return compare(name, expected, actual)
        }
        guard !results.isEmpty else { return MetricResult(0, "nothing to compare: the program has no outputs") }
        let score = results.map(\.score).reduce(0, +) / Double(results.count)
        return MetricResult(score, results.map(\.feedback).joined(separator: " "))
    }

    func compare(_ name: String, _ expected: JSON, _ actual: JSON) -> MetricResult {
        switch self {
        case .exact: exactMatch(name, expected, actual)
        case .f1: tokenF1(name, expected, actual)
        case .contains: containsMatch(name, expected, actual)
        case .numeric(_, let tolerance): numericMatch(name, expected, actual, tolerance: tolerance)
        case .json: jsonMatch(name, expected, actual)
        }
    }
}

/// The fields an example must have for a candidate to be run on it: every input of its spec
/// that is not optional (`T | None`), and the metric's gold fields (the one a built-in metric
/// names, else every output the program makes; a `python` or `judge` metric reads them all).
public func requiredFields(spec: Spec, metric: JSONObject) -> (inputs: [String], gold: [String]) {
    let required = { (fields: [Field]) in fields.filter { !$0.type.hasSuffix("| None") }.map(\.name) }
    let gold = BuiltinMetric(metric)?.field.map { [$0] } ?? required(spec.outputs)
    let inputs = Set(required(spec.inputs))  // and not a parameter of a user's forward with a default
    return (spec.requiredInputs.filter(inputs.contains), gold)
}

/// The gold fields of an example that the `exact` metric can never match: values none of
/// which an enum output can take (compared as the metric compares them), with those values.
public func unreachableGold(spec: Spec, metric: JSONObject, example: JSONObject) -> [(field: String, values: [String])] {
    guard case .exact(let field)? = BuiltinMetric(metric) else { return [] }
    return spec.outputs.filter { field == nil || $0.name == field }.compactMap { output in
        guard let gold = example[output.name], !gold.isNull, let values = enumValues(output.type, in: spec),
              !values.contains(where: { sameValue(.string($0), gold) }) else { return nil }
        return (output.name, values)
    }
}

/// The values of an enum type (through aliases and `| None`); nil for any other type.
func enumValues(_ type: String, in spec: Spec) -> [String]? {
    var expr = spec.resolved(type)
    if case .optional(.named(let inner))? = expr { expr = spec.resolved(inner) }
    guard case .named(let name)? = expr, case .enumeration(let values)? = spec.definition(of: name) else { return nil }
    return values
}

// MARK: - The metrics, one function each

func exactMatch(_ name: String, _ expected: JSON, _ actual: JSON) -> MetricResult {
    if sameValue(expected, actual) { return MetricResult(1, "\(name) is correct.") }
    return MetricResult(0, "expected \(name) \(show(expected)), got \(show(actual)).")
}

func tokenF1(_ name: String, _ expected: JSON, _ actual: JSON) -> MetricResult {
    let gold = normalizedTokens(plainText(expected)), pred = normalizedTokens(plainText(actual))
    if gold.isEmpty || pred.isEmpty {
        let score: Double = gold == pred ? 1 : 0
        return MetricResult(score, score == 1 ? "\(name) is correct." : "expected \(name) \(show(expected)), got \(show(actual)).")
    }
    var remaining = countWords(gold)
    var common = 0
    for token in pred where remaining[token, default: 0] > 0 { remaining[token]! -= 1; common += 1 }
    let precision = Double(common) / Double(pred.count), recall = Double(common) / Double(gold.count)
    let f1 = common == 0 ? 0 : 2 * precision * recall / (precision + recall)
    if f1 == 1 { return MetricResult(1, "\(name) is correct.") }
    let missing = wordsNotIn(gold, pred), extra = wordsNotIn(pred, gold)
    var parts = ["\(name) has token F1 \(format(f1, digits: 2)) (precision \(format(precision, digits: 2)), recall \(format(recall, digits: 2)))"]
    if !missing.isEmpty { parts.append("missing words: \(missing.joined(separator: ", "))") }
    if !extra.isEmpty { parts.append("extra words: \(extra.joined(separator: ", "))") }
    return MetricResult(f1, parts.joined(separator: "; ") + ".")
}

func containsMatch(_ name: String, _ expected: JSON, _ actual: JSON) -> MetricResult {
    let needle = normalizedTokens(plainText(expected)).joined(separator: " ")
    let hay = normalizedTokens(plainText(actual)).joined(separator: " ")
    // An empty gold (after normalization) is matched by an empty answer only, as f1 does.
    if needle.isEmpty ? hay.isEmpty : (" " + hay + " ").contains(" " + needle + " ") { return MetricResult(1, "\(name) contains \(show(expected)).") }
    return MetricResult(0, "expected \(name) to contain \(show(expected)), got \(show(actual)).")
}

func numericMatch(_ name: String, _ expected: JSON, _ actual: JSON, tolerance: Double) -> MetricResult {
    guard let gold = number(expected) else { return MetricResult(0, "the gold \(name) \(show(expected)) is not a number") }
    guard let pred = number(actual) else { return MetricResult(0, "expected \(name) \(show(expected)), got \(show(actual)), which is not a number.") }
    let difference = abs(pred - gold)
    if difference <= tolerance + 1e-12 { return MetricResult(1, "\(name) \(show(actual)) is correct.") }
    return MetricResult(0, "expected \(name) \(show(expected)), got \(show(actual)): \(numericDiagnosis(gold, pred)).")
}

/// Why two numbers differ, in the words a person would use.
func numericDiagnosis(_ gold: Double, _ pred: Double) -> String {
    if pred == 0 { return "zero where a value was expected; was anything computed?" }
    if gold == 0 { return "off by \(show(pred))" }
    if pred == -gold { return "the sign is flipped" }
    let ratio = gold / pred
    for factor in [10.0, 100.0, 1000.0, 2.0] {
        if abs(abs(ratio) - factor) < 1e-6 * factor || abs(abs(1 / ratio) - factor) < 1e-6 * factor {
            return "off by a factor of \(show(factor))" + (ratio * pred * gold < 0 ? " and the sign is flipped" : "")
        }
    }
    let difference = pred - gold
    let percent = abs(difference / gold) * 100
    return "\(difference > 0 ? "too high" : "too low") by \(show(abs(difference))) (\(format(percent, digits: 1))%)"
}

func jsonMatch(_ name: String, _ expected: JSON, _ actual: JSON) -> MetricResult {
    var comparison = JSONComparison()
    comparison.compare(expected, actual, path: name)
    let score = comparison.total == 0 ? (sameValue(expected, actual) ? 1 : 0) : comparison.matched / comparison.total
    if comparison.problems.isEmpty { return MetricResult(score, "\(name) matches.") }
    return MetricResult(score, comparison.problems.joined(separator: "; ") + ".")
}

/// Walks gold and predicted JSON side by side, counting matched leaves and naming mismatches.
struct JSONComparison {
    var matched = 0.0
    var total = 0.0
    var problems: [String] = []

    mutating func compare(_ expected: JSON, _ actual: JSON?, path: String) {
        switch (expected, actual) {
        case (.object(let gold), .object(let pred)?):
            for (key, value) in gold {
                let sub = "\(path).\(key)"
                if let p = pred[key], !(p.isNull && !value.isNull) { compare(value, p, path: sub) } else {
                    total += Double(max(1, leafCount(value)))
                    problems.append("field \(sub) missing")
                }
            }
            let extra = pred.keys.filter { gold[$0] == nil && pred[$0] != .null }
            if !extra.isEmpty { problems.append("unexpected fields in \(path): \(extra.joined(separator: ", "))") }
        case (.array(let gold), .array(let pred)?):
            var unmatched = pred
            var missing = [JSON]()
            for item in gold {
                if let i = unmatched.firstIndex(where: { sameValue(item, $0) }) { unmatched.remove(at: i) } else { missing.append(item) }
            }
            let size = Double(max(gold.count, pred.count))
            total += size
            matched += Double(gold.count - missing.count)
            var parts = [String]()
            if !missing.isEmpty { parts.append("missing: \(missing.map(show).joined(separator: ", "))") }
            if !unmatched.isEmpty { parts.append("unexpected: \(unmatched.map(show).joined(separator: ", "))") }
            if !parts.isEmpty { problems.append("\(path) items " + parts.joined(separator: "; ")) }
        default:
            total += 1
            guard let actual else { problems.append("field \(path) missing"); return }
            if sameValue(expected, actual) { matched += 1 } else {
                var problem = "\(path): expected \(show(expected)), got \(show(actual))"
                if let g = number(expected), let p = number(actual) { problem += " (\(numericDiagnosis(g, p)))" }
                problems.append(problem)
            }
        }
    }

    func leafCount(_ value: JSON) -> Int {
        switch value {
        case .object(let o): o.map { leafCount($0.value) }.reduce(0, +)
        case .array(let items): max(1, items.count)  // as an empty list weighs: a missing one pays no better
        default: 1
        }
    }
}

// MARK: - Values and text

/// Equal JSON values: numbers by value, text after normalization, containers member-wise.
func sameValue(_ a: JSON, _ b: JSON) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): return normalizedTokens(x) == normalizedTokens(y)
    case (.number, _), (_, .number):
        if let x = number(a), let y = number(b) { return x == y }
        return false
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(sameValue)
    case (.object(let x), .object(let y)):
        let keys = Set(x.keys).union(y.keys)
        return keys.allSatisfy { k in sameValue(x[k] ?? .null, y[k] ?? .null) }
    default: return a == b
    }
}

/// A number from a JSON number or numeric text ("$1,204.50" → 1204.5).
func number(_ value: JSON) -> Double? {
    switch value {
    case .number(let n): return Double(n)
    case .string(let s):
        let cleaned = s.filter { !" ,$€£".contains($0) }
        return Double(cleaned).flatMap { $0.isFinite ? $0 : nil }  // "NaN" and "inf" are not answers
    default: return nil
    }
}

/// The text a value is compared as: a number as Python writes the float it reads (120.50 is
/// 120.5), so that the same number is the same words.
func plainText(_ value: JSON) -> String {
    if case .number(let n) = value, n.contains(where: { ".eE".contains($0) }), let d = Double(n), d.isFinite { return "\(d)" }
    return value.stringValue ?? value.text
}

/// SQuAD normalization: lower case, punctuation removed, articles dropped, split on spaces.
func normalizedTokens(_ text: String) -> [String] {
    let lowered = text.lowercased().map { $0.isPunctuation || $0.isSymbol ? " " : $0 }
    return String(lowered).split(whereSeparator: \.isWhitespace).map(String.init).filter { !["a", "an", "the"].contains($0) }
}

func countWords(_ words: [String]) -> [String: Int] { words.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

/// Words of `a` (in order, once each) that `b` lacks as often as `a` has them.
func wordsNotIn(_ a: [String], _ b: [String]) -> [String] {
    var available = countWords(b)
    var out = [String]()
    for w in a {
        if available[w, default: 0] > 0 { available[w]! -= 1 } else if !out.contains(w) { out.append(w) }
    }
    return out
}

/// A value as feedback quotes it: text in quotes, numbers as written, JSON otherwise (cut short).
func show(_ value: JSON) -> String {
    let text: String
    switch value {
    case .string(let s): text = "'\(s)'"
    case .number: text = plainText(value)  // as Python reads it: 120.50 is 120.5
    default: text = value.text
    }
    return text.count > 120 ? String(text.prefix(117)) + "…" : text
}

func show(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(format1: x) }
    return String(x)
}

extension String {
    /// "120.0" for whole numbers, so feedback quotes floats the way Python prints them.
    init(format1 x: Double) { self = String(Int(x)) + ".0" }
}
