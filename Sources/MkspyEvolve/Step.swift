import MkspyCore

/// The output of one step: records to write, or why the search stops.
public struct StepResult: Sendable {
    public var records: [Candidate] = []
    /// Set when the search is over: nothing is written and this is said on stderr.
    public var stop: String?
    /// One line per decision worth telling (budget cuts).
    public var notes: [String] = []
    /// Children and primed parents still on their way to a verdict before this step.
    public var inFlight = 0
    /// Reflections asked for, and how many gave no new instruction.
    public var reflections = 0, failedReflections = 0
}

/// The metric calls a step may still ask for. Every ask goes through it.
struct Allowance {
    private(set) var left: Int

    /// Takes `ids` whole when they fit.
    mutating func take(_ ids: [String]) -> [String]? {
        guard ids.count <= left else { return nil }
        left -= ids.count
        return ids
    }

    /// Sets `n` calls aside: what the steps after this one need.
    mutating func reserve(_ n: Int) { left = max(0, left - n) }

    /// Takes the first of `ids` that fit; nil when none does.
    mutating func takePrefix(_ ids: [String]) -> [String]? {
        guard left > 0 else { return nil }
        let cut = Array(ids.prefix(left))
        left -= cut.count
        return cut
    }
}

/// Seeds' val not yet asked for: it fills the slots a pass leaves idle (see `fill`).
struct Owed {
    var items: [(seed: Entry, val: [String])] = []
}

extension Evolver {
    /// The records of the next step: candidates that need more evaluation (with `want`), parents
    /// asked to run a minibatch first, and new children (with `want` = their minibatch, or the
    /// first val stage for a merge). Empty with `stop` set when the search is over. When the
    /// step reflects, the records decided before (with seeds' val for the slots the reflection
    /// leaves idle) are handed to `early` first, so that they can run while the reflection LM
    /// thinks; they also lead `records`.
    public func step(reflector: Reflector, early: ([Candidate]) -> Void = { _ in }) -> StepResult {
        var result = StepResult()
        guard !entries.isEmpty else { result.stop = "no candidates in the archive"; return result }
        if let reason = stopReason { result.stop = reason; return result }
        var allowance = Allowance(left: options.maxCalls.map { $0 - archive.metricCalls } ?? Int.max)

        // 1. Candidates on their way: the next examples of their schedule.
        var (survivors, owed, valStage) = continuing(&allowance)
        var emitted = Set(survivors.map(\.id))

        // 2. Parents whose minibatches ran propose now; new ones are drawn from the frontier, as
        // many as keep `children` proposals on their way at once. A step that would write nothing
        // while budget is left draws again (fresh minibatches), so that duplicate proposals do
        // not end the loop early.
        let ready = readyParents(emitted)
        result.inFlight = inFlight(ready)
        var parentRecords = [Candidate](), children = [Candidate](), sent = [Candidate]()
        let allowanceBefore = allowance
        for attempt in 0..<5 {
            if attempt > 0, !(survivors.isEmpty && parentRecords.isEmpty && children.isEmpty && sent.isEmpty) || allowanceBefore.left <= 0 {
                break
            }
            var rng = SeededRandom(["step", String(options.seed), String(archive.metricCalls), String(entries.count)]
                                   + (attempt > 0 ? [String(attempt)] : []))
            let drawn = drawParents(count: max(attempt > 0 ? 1 : 0, options.children - result.inFlight), rng: &rng)
            var proposals = ready.flatMap { parent in parent.minibatches.enumerated().map { proposal(parent, slot: $0, read: $1) } }
            parentRecords = []
            children = []
            for (parent, count) in drawn {
                let batches = minibatches(for: parent, count: count, rng: &rng)
                let missing = Array(Set(batches.joined()).filter { parent.score($0) == nil }).sorted()
                if missing.isEmpty {
                    if !ready.contains(where: { $0.id == parent.id }) {
                        proposals += batches.enumerated().map { proposal(parent, slot: $0, read: $1) }
                    }
                    continue
                }
                guard let want = allowance.take(missing) else { continue }
                parentRecords.append(parent.record(want: want, minibatches: batches))
                emitted.insert(parent.id)
            }
            for parent in ready where !emitted.contains(parent.id) {
                parentRecords.append(parent.record(want: [], minibatches: []))
                emitted.insert(parent.id)
            }

            // 3. Children: an operator per proposal; reflections run as one batch, while what
            // was decided before them runs.
            var known = Set(archive.entries.keys)
            var reflections = [(proposal: Proposal, request: ReflectionRequest)]()
            var gates = 0  // what the children's minibatches will cost at least
            for p in proposals {
                // No reflection is paid for a child whose minibatch the budget cannot run.
                // Nor for one that, once past its gate, could not run the first val stage.
                guard gates + p.gate.count + (stages.first ?? 0) <= allowance.left else { result.notes.append("budget: a child was not proposed"); continue }
                gates += p.gate.count
                switch propose(p, rng: &rng, known: &known) {
                case .child(let child): children.append(child)
                case .reflection(let request): reflections.append((p, request))
                }
            }
            let idle = options.jobs - reflections.count - wantCount(survivors + parentRecords)
            if !reflections.isEmpty, idle >= 0, !valStage {
                sent = survivors + parentRecords
                fill(&sent, from: &owed, room: idle)
                sent = sent.map(stamped)
                if !sent.isEmpty { early(sent) }
                (survivors, parentRecords) = ([], [])
            }
            if !reflections.isEmpty {
                let answers = reflector(reflections.map(\.request))
                result.reflections += reflections.count
                for (i, r) in reflections.enumerated() {
                    let answer = i < answers.count ? answers[i] : nil
                    if answer.flatMap({ reflect(r.proposal.parent.candidate.genome, module: r.proposal.module, instruction: $0) }) == nil {
                        result.failedReflections += 1
                    }
                    if let child = answered(r.proposal, instruction: answer, rng: &rng, known: &known) { children.append(child) }
                }
            }
            children = children.compactMap { child in
                let fitted = (child.want?.count ?? 0) > allowance.left ? withoutNextMinibatch(child) : child
                guard allowance.take(fitted.want ?? []) != nil else { result.notes.append("budget: a child was not proposed"); return nil }
                return fitted
            }

            // 4. At most one merge per step, of two frontier members with a common ancestor.
            if var child = mergeChild(&rng, &known), let want = allowance.takePrefix(child.want ?? []) {
                child.want = want
                children.append(child)
                valStage = true
            }
        }

        var records = survivors + parentRecords + children
        let size = wantCount(records)
        fill(&records, from: &owed, room: valStage || size == 0 ? Int.max : (options.jobs - size % options.jobs) % options.jobs,
             sent: sent)
        result.records = sent + records.map(stamped)
        if result.records.isEmpty { result.stop = "nothing left to evaluate or propose" }
        return result
    }

    /// Phase 1: the next examples of every candidate on its way, within the allowance. A seed's
    /// val is owed (reserved) rather than asked for, to fill passes; `valStage` says whether some
    /// candidate runs a val stage.
    func continuing(_ allowance: inout Allowance) -> (records: [Candidate], owed: Owed, valStage: Bool) {
        var records = [Candidate](), owed = Owed(), valStage = false
        var racers = [(entry: Entry, want: [String])]()
        for entry in entries {
            switch status(entry) {
            case .complete:
                // A parent whose minibatch was not all scored (a transient LM error): ask again.
                let missing = Array(Set(entry.minibatches.joined()).filter { entry.score($0) == nil }).sorted()
                guard !missing.isEmpty, let want = allowance.take(missing) else { continue }
                records.append(entry.record(want: want))
            case .dead, .waiting: continue
            case .probing(let batch):
                guard let want = allowance.take(batch) else { continue }
                records.append(entry.record(want: want, minibatches: [batch]))
            case .pending(let want):
                if options.maxCalls != nil, want.contains(where: valSet.contains) {
                    racers.append((entry, want))
                    continue
                }
                guard let cut = allowance.takePrefix(want) else { continue }
                if entry.candidate.parents.isEmpty {  // drawn as a parent meanwhile: see `drawSeed`
                    owed.items.append((entry, cut))
                    continue
                }
                valStage = valStage || want.contains { options.val.contains($0) }
                records.append(entry.record(want: cut))
            }
        }
        // Under a budget, val goes to the most promising candidates first: each runs its next
        // stage only while the budget also covers the rest of val for it and for every one
        // ranked above it (the first always runs), and what they all still need is set aside
        // before any new child is proposed. Spread over every racer, the budget would end with
        // none of them complete, and the seed the best.
        let pool = allowance.left
        var reserved = 0
        let ranked = racers.enumerated().map { (i, r) in (r, promise(r.entry), i) }
            .sorted { ($0.1.started, $0.1.mean, -$0.2) > ($1.1.started, $1.1.mean, -$1.2) }.map(\.0)
        for (rank, racer) in ranked.enumerated() {
            reserved += options.val.filter { racer.entry.score($0) == nil }.count
            guard rank == 0 || reserved <= pool, let cut = allowance.takePrefix(racer.want) else { continue }
            if racer.entry.candidate.parents.isEmpty {
                owed.items.append((racer.entry, cut))
                continue
            }
            valStage = true
            records.append(racer.entry.record(want: cut))
        }
        allowance.reserve(reserved - (pool - allowance.left))
        return (records, owed, valStage)
    }

    /// How promising a candidate on its way to val looks: one that started val goes on before
    /// another starts (finishing one is worth more than starting two), by its mean on the val
    /// it has run; one that has not, by its mean on the train it has run.
    /// Seeds come last: a child past its gate already beat its seed lineage on train, and the
    /// seed's val fills idle slots anyway.
    func promise(_ entry: Entry) -> (started: Int, mean: Double) {
        if entry.candidate.parents.isEmpty { return (-1, 0) }
        let ran = options.val.filter { entry.score($0) != nil }
        if let mean = entry.mean(ran) { return (1, mean) }
        return (0, entry.mean(options.train.filter { entry.score($0) != nil }) ?? 0)
    }

    /// Parents whose minibatches all ran, not asked for anything this step: they propose now.
    /// A seed proposes while its val still fills passes.
    func readyParents(_ emitted: Set<String>) -> [Entry] {
        entries.filter { e in
            guard !e.minibatches.isEmpty, e.minibatches.allSatisfy(e.scored), !emitted.contains(e.id) else { return false }
            switch status(e) {
            case .complete, .waiting: return true
            case .pending: return e.candidate.parents.isEmpty
            default: return false
            }
        }
    }

    /// Proposals on their way to a verdict: children still racing, and the minibatches of
    /// parents that will propose (ready, or still running theirs).
    func inFlight(_ ready: [Entry]) -> Int {
        let primed = entries.filter { !$0.minibatches.isEmpty && !$0.minibatches.allSatisfy($0.scored) }
        let racing = entries.filter { e in
            guard !e.candidate.parents.isEmpty else { return false }
            switch status(e) {
            case .pending, .waiting, .probing: return true
            default: return false
            }
        }
        return racing.count + (ready + primed).reduce(0) { $0 + $1.minibatches.count }
    }

    /// `count` parents drawn from the frontier (by weight), or seeds before there is one, with
    /// how many children each is asked for, in the order first drawn.
    func drawParents(count: Int, rng: inout SeededRandom) -> [(parent: Entry, children: Int)] {
        var slots = [String: Int](), drawn = [String]()
        for _ in 0..<count {
            guard let id = frontier.sample(&rng) ?? drawSeed(&rng) else { break }
            if slots[id] == nil { drawn.append(id) }
            slots[id, default: 0] += 1
        }
        return drawn.compactMap { id in archive.entries[id].map { ($0, slots[id]!) } }
    }

    /// `child` running its gate only, to fit the budget: without a minibatch of its own it
    /// proposes no child before val.
    func withoutNextMinibatch(_ child: Candidate) -> Candidate {
        guard var marks = child.evolve, let gate = marks.minibatch else { return child }
        var fitted = child
        marks.minibatches = nil
        fitted.evolve = marks
        fitted.want = gate
        return fitted
    }

    /// Adds up to `room` examples of the seeds' owed val to `records`: to a seed's record there,
    /// else as a copy of the one in `sent` (written earlier this step, with its `evolve`), else
    /// as a new record. Callers give the slots mkspy-score would leave idle, or all when a val
    /// stage or merge needs the frontier, or when there is nothing else to run.
    func fill(_ records: inout [Candidate], from owed: inout Owed, room: Int, sent: [Candidate] = []) {
        var room = room
        for k in owed.items.indices where room > 0 {
            let more = Array(owed.items[k].val.prefix(room))
            guard !more.isEmpty else { continue }
            owed.items[k].val.removeFirst(more.count)
            room -= more.count
            let seed = owed.items[k].seed
            let i = records.firstIndex { $0.id == seed.id }
            var record = i.map { records[$0] } ?? sent.first { $0.id == seed.id } ?? seed.record(want: [])
            record.want = (i == nil ? [] : record.want ?? []) + more
            if let i { records[i] = record } else { records.append(record) }
        }
    }

    /// `record` marked with this step's number.
    func stamped(_ record: Candidate) -> Candidate {
        var marked = record
        var marks = marked.evolve ?? EvolveMarks()
        marks.step = stepNumber
        marks.maxCalls = options.maxCalls
        marked.evolve = marks
        return marked
    }

    func wantCount(_ records: [Candidate]) -> Int { records.reduce(0) { $0 + ($1.want?.count ?? 0) } }
}
