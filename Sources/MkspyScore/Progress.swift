import MkspyCore

/// mkspy-score's progress on stderr: examples done of the total, the running mean, rate, ETA,
/// LM calls, tokens and cost. On a terminal one line is redrawn in place (at most 4 times a
/// second); otherwise a plain line at most every 5 seconds, and one at the end.
/// `MKSPY_PROGRESS=json` writes the same as `{"event": "score", …}` objects.
struct Progress {
    let quiet: Bool
    var total = 0
    var done = 0
    var unreachable = 0
    /// How many examples failed with each code that a rerun meets again until the user fixes
    /// the setup: the metric's, bubblewrap's.
    var setupCodes: [ErrorCode: Int] = [:]
    /// How many examples failed with each provider code.
    var providerCodes: [ErrorCode: Int] = [:]
    /// Examples scored without an error; the first error of the run.
    var clean = 0
    var firstError: ScoreError?
    /// The sum and count of this run's scores, for the running mean.
    var scoreSum = 0.0, scored = 0
    let started = monotonicSeconds()
    var shown = 0.0
    let redraw = standardErrorIsTerminal && !ProgressLine.isJSON

    init(quiet: Bool) { self.quiet = quiet }

    mutating func record(_ entry: ScoreEntry, _ usage: Usage) {
        done += 1
        if let code = entry.error?.code, code.isProvider { unreachable += 1; providerCodes[code, default: 0] += 1 }
        if let code = entry.error?.code, [.metric, .sandbox].contains(code) { setupCodes[code, default: 0] += 1 }
        if let error = entry.error { firstError = firstError ?? error } else { clean += 1 }
        if let score = entry.score { scoreSum += score; scored += 1 }
        let now = monotonicSeconds()
        if now - shown >= (redraw ? 0.25 : 5), done < total { shown = now; show(usage, final: false) }
    }

    /// An example refused before it ran (it lacks a field).
    mutating func recordUnusable(_ error: ScoreError) { firstError = firstError ?? error }

    /// The provider code most examples failed with.
    var commonestProviderCode: ErrorCode? { commonest(providerCodes) }

    /// The setup code every example failed with (the commonest), when no example got further.
    var setupFailure: ErrorCode? { done > 0 && setupCodes.values.reduce(0, +) == done ? commonest(setupCodes) : nil }

    func commonest(_ codes: [ErrorCode: Int]) -> ErrorCode? { codes.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key }

    func finish(_ usage: Usage) { if done > 0 { show(usage, final: true) } }

    func show(_ usage: Usage, final: Bool) {
        guard !quiet else { return }
        let elapsed = max(monotonicSeconds() - started, 1e-3)
        let rate = Double(done) / elapsed
        let mean = scored > 0 ? scoreSum / Double(scored) : nil
        var line = "\(done)/\(total) examples, mean \(mean.map { format($0, digits: 3) } ?? "–"), \(format(rate, digits: 1))/s"
        if !final, rate > 0, total > done { line += ", ETA \(duration(Double(total - done) / rate))" }
        if final { line += ", \(duration(elapsed))" }
        line += ", \(usage.calls) LM calls (\(usage.cached) cached), \(usage.tokensIn + usage.tokensOut) tokens"
        if usage.costKnown { line += ", $\(format(usage.cost, digits: 4))" }
        if redraw {
            writeError("\r\u{1B}[Kmkspy-score: " + line + (final ? "\n" : ""))
            return
        }
        ProgressLine.emit(tool: "mkspy-score", line, event: [
            "event": "score", "done": .int(done), "total": .int(total), "mean": mean.map(JSON.double) ?? .null,
            "elapsed_s": .double((elapsed * 10).rounded() / 10), "final": .bool(final), "lm_calls": .int(usage.calls),
            "cached_calls": .int(usage.cached), "tokens": .int(usage.tokensIn + usage.tokensOut),
            "cost": usage.costKnown ? .double(usage.cost) : .null,
        ])
    }

    func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
