import MkspyCore

/// What a person watching the loop learns from one step (one line on stderr), or a program
/// (`MKSPY_PROGRESS=json`: one `{"event": "step"}` object): the step's number, metric calls and
/// cost spent of the budget, the best val mean and the frontier's size, what became of the
/// children the last step proposed, and what this step asks for.
struct StepReport {
    let step: Int
    let calls: Int, maxCalls: Int?
    let cost: Double, maxCost: Double?
    let best: Double?
    let frontier: Int
    /// The ran last step: id and what became of them.
    let children: [(id: String, outcome: String, status: String)]
    let proposed: Int, examples: Int
    let reflections: Int, failedReflections: Int
    let stop: String?

    init(_ evolver: Evolver, _ result: StepResult) {
        let step = evolver.stepNumber
        self.step = step
        calls = evolver.archive.metricCalls
        maxCalls = evolver.options.maxCalls
        cost = evolver.archive.cost
        maxCost = evolver.options.maxCost
        best = evolver.best.flatMap { $0.mean(evolver.options.val) }
        frontier = evolver.frontier.members.count
        let lastStep = step - 1
        children = evolver.entries.filter { !$0.candidate.parents.isEmpty && $0.candidate.evolve?.step == lastStep }.map { entry in
            let status = evolver.status(entry)
            return (entry.id, Self.outcome(status, evolver: evolver, entry: entry), status.described.name)
        }
        let known = Set(evolver.archive.entries.keys)
        proposed = result.records.filter { !known.contains($0.id) }.count
        examples = result.records.reduce(0) { $0 + ($1.want?.count ?? 0) }
        reflections = result.reflections
        failedReflections = result.failedReflections
        stop = result.stop
    }

    /// What became of a child: accepted at its gate (and where it is now), rejected, dropped at
    /// a val stage, or still waiting for its gate.
    static func outcome(_ status: Status, evolver: Evolver, entry: Entry) -> String {
        switch status {
        case .complete: return "accepted, val \(format(entry.mean(evolver.options.val) ?? 0))"
        case .waiting, .probing: return "accepted at its gate, climbing"
        case .pending:
            let ranVal = evolver.options.val.filter { entry.score($0) != nil }.count
            return evolver.gate(entry) == nil ? "awaiting its gate" : "accepted at its gate, val \(ranVal)/\(evolver.options.val.count)"
        case .dead(let verdict):
            switch verdict.kind {
            case .rejected: return "rejected at its gate"
            case .dropped: return "dropped at a val stage"
            case .beaten: return "beaten by its own child"
            case .refused: return "refused"
            }
        }
    }

    var line: String {
        var text = "step \(step): \(calls)\(maxCalls.map { " of \($0)" } ?? "") metric calls"
        if cost > 0 || maxCost != nil { text += ", $\(format(cost, digits: 4))\(maxCost.map { " of $\(format($0, digits: 2))" } ?? "")" }
        text += ", best val \(best.map { format($0) } ?? "none yet"), frontier \(frontier)"
        if !children.isEmpty {
            text += "; ran last step: " + children.map { "\($0.id.prefix(8)) \($0.outcome)" }.joined(separator: ", ")
        }
        if let stop { return text + "; stopping: \(stop)" }
        text += "; asks \(examples) example\(examples == 1 ? "" : "s")"
        if proposed > 0 { text += " of \(proposed) new candidate\(proposed == 1 ? "" : "s")" }
        if failedReflections > 0 { text += "; \(failedReflections) of \(reflections) reflections gave no new instruction" }
        return text
    }

    var json: JSON {
        [
            "event": .string(stop == nil ? "step" : "stop"), "step": .int(step), "metric_calls": .int(calls),
            "max_calls": maxCalls.map(JSON.int) ?? .null, "cost": .double(cost), "max_cost": maxCost.map(JSON.double) ?? .null,
            "best_val": best.map(JSON.double) ?? .null, "frontier": .int(frontier),
            "children": .array(children.map { ["id": .string($0.id), "status": .string($0.status), "outcome": .string($0.outcome)] }),
            "proposed": .int(proposed), "examples": .int(examples), "reflections": .int(reflections),
            "failed_reflections": .int(failedReflections), "stop": stop.map(JSON.string) ?? .null,
        ]
    }
}
