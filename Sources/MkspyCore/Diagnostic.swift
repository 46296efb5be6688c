/// A finding about a spec or a program: data, never an exception.
public struct Diagnostic: Equatable, Sendable {
    public enum Severity: String, Sendable { case error, warning }

    /// A stable rule id such as "SPEC017" or "DSPY003".
    public let rule: String
    public let severity: Severity
    /// What is wrong and how to fix it.
    public let message: String
    /// Where in a spec: a jq path such as `.operations[1].inputs.lines`.
    public var path: String?
    /// Where in source text: 1-based line, 0-based UTF-8 column, as CPython counts.
    public var line: Int?, col: Int?, endLine: Int?, endCol: Int?

    public init(_ rule: String, _ severity: Severity, _ message: String, path: String? = nil,
                line: Int? = nil, col: Int? = nil, endLine: Int? = nil, endCol: Int? = nil) {
        self.rule = rule; self.severity = severity; self.message = message; self.path = path
        self.line = line; self.col = col; self.endLine = endLine; self.endCol = endCol
    }

    public var json: JSON {
        var o: JSONObject = ["rule": .string(rule), "severity": .string(severity.rawValue), "message": .string(message)]
        if let path { o["path"] = .string(path) }
        if let line { o["line"] = .int(line) }
        if let col { o["col"] = .int(col) }
        if let endLine { o["end_line"] = .int(endLine) }
        if let endCol { o["end_col"] = .int(endCol) }
        return .object(o)
    }

    public init?(json: JSON) {
        guard let rule = json["rule"]?.stringValue, let message = json["message"]?.stringValue,
              let severity = json["severity"]?.stringValue.flatMap(Severity.init(rawValue:)) else { return nil }
        self.init(rule, severity, message, path: json["path"]?.stringValue, line: json["line"]?.intValue,
                  col: json["col"]?.intValue, endLine: json["end_line"]?.intValue, endCol: json["end_col"]?.intValue)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init()
        for (k, v) in elements { self[k] = v }
    }
}

/// A jq path built up while walking a spec: `.types.LineItem`, `.operations[1].inputs`.
/// Kept as parts and rendered only when a diagnostic needs it.
public struct JSONPath: Sendable, CustomStringConvertible {
    private enum Part: Sendable { case key(String), index(Int) }
    private let parts: [Part]
    public static let root = JSONPath(parts: [])

    public var description: String {
        if parts.isEmpty { return "." }
        return parts.map { part in
            switch part {
            case .index(let i): return "[\(i)]"
            case .key(let k): return Reserved.isIdentifier(k) || k == "None" ? ".\(k)" : ".\(JSON.string(k).text)"
            }
        }.joined()
    }
    public func key(_ k: String) -> JSONPath { JSONPath(parts: parts + [.key(k)]) }
    public func index(_ i: Int) -> JSONPath { JSONPath(parts: parts + [.index(i)]) }
    public static func / (p: JSONPath, k: String) -> JSONPath { p.key(k) }
}
