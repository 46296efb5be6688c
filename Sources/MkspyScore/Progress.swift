import MkspyCore

/// Progress on stderr: done/total, rate, ETA, calls, tokens, cost; at most once a second.
struct Progress {
    let quiet: Bool
    var total = 0
    var done = 0
    var unreachable = 0
    let started = monotonicSeconds()
    var shown = 0.0

    init(quiet: Bool) { self.quiet = quiet }

    mutating func record(_ entry: ScoreEntry, _ usage: Usage) {
        done += 1
        if let code = entry.error?.code.rawValue, code.hasPrefix("lm_") { unreachable += 1 }
        let now = monotonicSeconds()
        if now - shown >= 1, done < total { shown = now; show(usage, final: false) }
    }

    func finish(_ usage: Usage) { if done > 0 { show(usage, final: true) } }

    func show(_ usage: Usage, final: Bool) {
        guard !quiet else { return }
        let elapsed = max(monotonicSeconds() - started, 1e-3)
        let rate = Double(done) / elapsed
        var line = "mkspy-score: \(done)/\(total) examples, \(format(rate, digits: 1))/s"
        if !final, rate > 0, total > done { line += ", ETA \(duration(Double(total - done) / rate))" }
        if final { line += ", \(duration(elapsed))" }
        line += ", \(usage.calls) LM calls (\(usage.cached) cached), \(usage.tokensIn + usage.tokensOut) tokens"
        if usage.costKnown { line += ", $\(format(usage.cost, digits: 4))" }
        printError(line)
    }

    func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
