/// How the tools report progress on standard error: sentences for a person, or, with
/// `MKSPY_PROGRESS=json`, one JSON object per line for a program (mkspy-serve's events).
public enum ProgressLine {
    /// Whether progress is written as JSON events.
    public static let isJSON = environment("MKSPY_PROGRESS") == "json"

    /// Writes `text`, or `event` (with its `tool`) when progress is JSON.
    public static func emit(tool: String, _ text: String, event: JSON) {
        guard isJSON, case .object(var o) = event else { return printError("\(tool): \(text)") }
        o["tool"] = .string(tool)
        printError(JSON.object(o).text)
    }
}

/// `x` rounded to `digits` decimals (a score has three), as Swift prints a Double.
public func format(_ x: Double, digits: Int = 3) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return String((x * scale).rounded() / scale)
}
