import MkspyCore

/// What one evolve step is told: the data ids, how many children to make, the seed and the
/// stopping rules.
public struct EvolveOptions: Sendable {
    /// Train example ids (minibatches, reflection, demos), in file order.
    public var train: [String] = []
    /// Val example ids (the Pareto frontier and the staged evaluation), in file order.
    public var val: [String] = []
    /// Children proposed per step (`--children`).
    public var children = 4
    public var seed: UInt64 = 0
    /// Train examples a child must beat its parent on (its gate).
    public var minibatch = 3
    /// Train examples a reflection reads (`--reflection-minibatch`; nil: see `readSize`).
    public var reflectionMinibatch: Int?
    /// Stop once this many metric calls (scored candidate-example pairs) are spent.
    public var maxCalls: Int?
    /// Stop once the LM cost of all scores reaches this many dollars.
    public var maxCost: Double?
    /// Stop after this many generations without a better best val mean.
    public var patience: Int?
    /// Stop once the best val mean reaches this.
    public var target: Double?
    /// Merge children allowed over the whole run (dspy.GEPA's `max_merge_invocations`).
    public var maxMerges = 5
    /// Longest chain of children that climb on train before val is paid (`--climb`; 1: none).
    public var climb = 8
    /// Minibatches a climbing candidate runs, while none shows a failure, before val is paid
    /// (`--probes`; 1: only the one it ran with its gate).
    public var probes = 2
    /// Examples mkspy-score runs at once (its `-j`): the seeds' val fills each pass up to a
    /// multiple of it.
    public var jobs = 4

    public init() {}

    /// What a reflection reads: a parent's minibatch, and a climbing child's own. Unless set, the
    /// gate's size grown to fill, with the gate, a child's share of a round of `jobs`: examples
    /// there cost calls but no time, and a reflection that reads more failures learns more. At
    /// most twice the gate.
    public var readSize: Int { reflectionMinibatch ?? max(minibatch, min(2 * minibatch, jobs / children - minibatch)) }
}

/// What the reflection LM is asked for one module: a better instruction from traces with feedback.
public struct ReflectionRequest: Sendable {
    public let module: String
    public let instruction: String
    /// `{task, module, instruction, inputs, outputs, examples: [{inputs, outputs, score, feedback}]}`.
    public let json: JSON
}

/// Runs a batch of reflection requests and returns one new instruction (or nil) per request.
public typealias Reflector = ([ReflectionRequest]) -> [String?]

/// The output of one step: records to write, or why the search stops.
public struct StepResult: Sendable {
    public var records: [JSON] = []
    /// Set when the search is over: nothing is written and this is said on stderr.
    public var stop: String?
    /// One line per decision worth telling (budget cuts).
    public var notes: [String] = []
    /// Candidates out of the race: refused, beaten on their minibatch, or dropped at a val stage.
    public var dropped = 0
    /// Children and primed parents still on their way to a verdict before this step.
    public var inFlight = 0
}

/// Where a candidate stands in the evaluation schedule.
public enum Status: Equatable, Sendable {
    /// Scored on every val example: it may be a parent.
    case complete
    /// Needs these examples scored next.
    case pending([String])
    /// Climbing on train: it proposes a child next, or waits for its child's verdict.
    case waiting
    /// Climbing on train with no failure on its minibatch: it runs this new minibatch next.
    case probing([String])
    /// Out of the race, and why.
    case dead(String)
}

/// One step of the search: a pure function of the archive, the options and the reflector.
public struct Evolver {
    public let archive: Archive
    public let options: EvolveOptions
    /// Val ids in the run's fixed evaluation order (a seeded shuffle): stages are its prefixes.
    public let valOrder: [String]
    /// Cumulative stage sizes: a quarter, a half, then all of val (in whole rounds of `jobs`).
    public let stages: [Int]
    let entries: [Entry]
    let complete: [Entry]
    /// Children (not merges) by their first parent, in archive order.
    let children: [String: [Entry]]
    public let frontier: Frontier
    /// The frontier's best score per val id (none before a candidate has run all of val).
    let bestOnVal: [String: Double]

    public init(archive: Archive, options: EvolveOptions) {
        self.archive = archive
        self.options = options
        var rng = SeededRandom(["val-order", String(options.seed)])
        valOrder = rng.shuffled(options.val)
        stages = stageSizes(options.val.count, jobs: options.jobs)
        entries = archive.ordered
        let val = options.val
        complete = entries.filter { !val.isEmpty && $0.scored(val) }
        var children = [String: [Entry]]()
        for e in entries where e.candidate.origin != Operator.merge.rawValue {
            if let p = e.candidate.parents.first { children[p, default: []].append(e) }
        }
        self.children = children
        frontier = Frontier(ids: complete.map(\.id), scores: complete.map { e in val.map { e.score($0)! } })
        bestOnVal = Dictionary(uniqueKeysWithValues: zip(val, frontier.best))
    }

    // MARK: Best and stopping

    /// The best fully evaluated candidate: highest mean val score; ties go to the earlier
    /// generation, then to the one read first (found with fewer metric calls).
    public var best: Entry? {
        complete.min { a, b in
            let (ma, mb) = (a.mean(options.val) ?? 0, b.mean(options.val) ?? 0)
            if ma != mb { return ma > mb }
            return (a.candidate.generation, a.firstSeen) < (b.candidate.generation, b.firstSeen)
        }
    }

    /// Why the search should stop now, if it should.
    public var stopReason: String? {
        let calls = archive.metricCalls
        if let max = options.maxCalls, calls >= max { return "budget spent: \(calls) metric calls of \(max)" }
        if let max = options.maxCost, archive.cost >= max { return "budget spent: $\(archive.cost) of $\(max)" }
        let bestMean = best.flatMap { $0.mean(options.val) }
        if let bestMean, bestMean >= (options.target ?? 1) { return "target reached: best val mean \(bestMean) ≥ \(options.target ?? 1)" }
        if let patience = options.patience, let best {
            let current = entries.map(\.candidate.generation).max() ?? 0
            let since = current - best.candidate.generation
            if since >= patience { return "no better val mean for \(since) generations (patience \(patience))" }
        }
        return nil
    }

    // MARK: The schedule

    /// Where `entry` stands. A seed runs on all of val. A child first runs its minibatch and must
    /// beat its parent there (sum strictly greater). A child that did, and whose own minibatch
    /// (run with its gate) shows a failure, climbs: it proposes a child of its own before any val
    /// is paid, and gives way to that child if the child beats it; a chain climbs at most
    /// `climb` links. The last winner runs val in stages, dropped at the end of a stage when
    /// `dropReason` says it can no longer matter.
    public func status(_ entry: Entry) -> Status {
        if entry.failed { return .dead("refused by mkspy-check or mkspy-score") }
        let val = options.val
        if entry.scored(val) { return .complete }
        if entry.candidate.parents.isEmpty { return .pending(val.filter { entry.score($0) == nil }) }
        switch gate(entry) {
        case .none: return .pending(entry.minibatch!.filter { entry.score($0) == nil })
        case false?:
            let batch = entry.minibatch ?? []
            let parent = archive.entries[entry.candidate.parents[0]]
            return .dead("no better than its parent on its minibatch (\(entry.sum(batch)) ≤ \(parent?.sum(batch) ?? 0))")
        case true?: break
        }
        if isClimbing(entry) {
            let kids = children[entry.id] ?? []
            if kids.contains(where: { gate($0) == true }) { return .dead("beaten by its own child on train before val") }
            if kids.contains(where: { gate($0) == nil && !$0.failed }) { return .waiting }
            if kids.isEmpty, depth(entry) < options.climb, !entry.minibatches.isEmpty {
                let missing = Array(Set(entry.minibatches.joined()).filter { entry.score($0) == nil }).sorted()
                if !missing.isEmpty { return .pending(missing) }
                if entry.minibatches.joined().contains(where: { entry.score($0)! < 1 }) { return .waiting }
                if let probe = probe(entry) { return .probing(probe) }
            }
        }
        var done = 0
        for size in stages where entry.scored(Array(valOrder.prefix(size))) { done = size }
        let evaluated = Array(valOrder.prefix(done))
        if done > 0, let reason = dropReason(entry, evaluated: evaluated) {
            return .dead(reason)
        }
        // No stage can drop a candidate sure of the frontier: it runs the rest of val at once.
        let next = done > 0 && isSureOfTheFrontier(entry, evaluated: evaluated) ? val.count : stages.first { $0 > done } ?? val.count
        return .pending(valOrder.prefix(next).filter { entry.score($0) == nil })
    }

    /// A child's verdict on its minibatch: true when it beat its first parent there, false when
    /// it did not (or was refused), nil while unscored. Merges and seeds pass.
    func gate(_ entry: Entry) -> Bool? {
        if entry.failed { return false }
        guard let parentID = entry.candidate.parents.first, entry.candidate.origin != Operator.merge.rawValue,
              let batch = entry.minibatch, !batch.isEmpty else { return true }
        guard entry.scored(batch) else { return nil }
        guard let parent = archive.entries[parentID] else { return true }
        return entry.sum(batch) > parent.sum(batch)
    }

    /// A further minibatch (of the gate's size) for a climbing candidate whose minibatches showed
    /// no failure, while it has run fewer than `probes` of them, its own first: train examples it
    /// has not run, hard ones for its lineage first. A failure found here costs a minibatch;
    /// going to val first costs a stage.
    func probe(_ entry: Entry) -> [String]? {
        let ran = Set(options.train.filter { entry.score($0) != nil })
        let gate = Set(entry.minibatch ?? [])
        guard ran.subtracting(gate).count < options.readSize + (options.probes - 1) * options.minibatch else { return nil }
        var rng = SeededRandom(["probe", String(options.seed), entry.id, String(ran.count)])
        let next = nextMinibatch(after: entry, excluding: ran, size: options.minibatch, rng: &rng)
        return next.isEmpty ? nil : next
    }

    /// Whether a child is still on train: no val example run yet, and climbing is on.
    func isClimbing(_ entry: Entry) -> Bool {
        options.climb > 1 && !entry.candidate.parents.isEmpty && entry.candidate.origin != Operator.merge.rawValue
            && !options.val.contains { entry.score($0) != nil }
    }

    /// How many links of a train-only chain end at `entry` (1 for a child of a val-evaluated parent).
    func depth(_ entry: Entry) -> Int {
        var n = 1
        var current = entry
        while let p = current.candidate.parents.first, let parent = archive.entries[p], isClimbing(parent) {
            n += 1
            current = parent
            if n > 64 { break }
        }
        return n
    }

    /// Why a partly evaluated candidate can no longer matter, or nil when it may. S is the
    /// val examples it has run (a prefix of the run's val order), b(e) the frontier's best score
    /// on e, and L the leader (the best fully evaluated candidate). It stays while either
    ///   (a) it beats b(e) strictly on some e in S: it will be on the frontier, or
    ///   (b) it ties or beats b(e) on at least as many examples of S as L does, and its sum on
    ///       S plus 1.0 for every val example it has not run is at least L's total: it is on
    ///       track to tie the best on as many examples as L, and can still reach L's mean.
    /// Otherwise it is dropped and the rest of val is never run for it.
    public func dropReason(_ entry: Entry, evaluated: [String]) -> String? {
        guard let leader = best else { return nil }
        func wins(_ e: Entry) -> Int { evaluated.filter { e.score($0)! >= bestOnVal[$0]! }.count }
        if isSureOfTheFrontier(entry, evaluated: evaluated) { return nil }
        let (mine, theirs) = (wins(entry), wins(leader))
        if mine < theirs {
            return "best on \(mine) of the first \(evaluated.count) val examples, the leader on \(theirs)"
        }
        let total = leader.sum(options.val)
        let bound = entry.sum(evaluated) + Double(options.val.count - evaluated.count)
        if bound < total { return "cannot reach the leader's val total \(total) (at most \(bound))" }
        return nil
    }

    /// Whether `entry` beats every fully evaluated candidate on some val example of `evaluated`
    /// (rule (a) of `dropReason`): it will be on the frontier, whatever the rest of val gives.
    func isSureOfTheFrontier(_ entry: Entry, evaluated: [String]) -> Bool {
        evaluated.contains { id in bestOnVal[id].map { entry.score(id)! > $0 } ?? false }
    }

    // MARK: One step

    /// The records of the next step: candidates that need more evaluation (with `want`), parents
    /// asked to run a minibatch first, and new children (with `want` = their minibatch, or the
    /// first val stage for a merge). Empty with `stop` set when the search is over. When the
    /// step reflects, the records decided before (with seeds' val for the slots the reflection
    /// leaves idle) are handed to `early` first, so that they can run while the reflection LM
    /// thinks; they also lead `records`.
    public func step(reflector: Reflector, early: ([JSON]) -> Void = { _ in }) -> StepResult {
        var result = StepResult()
        guard !entries.isEmpty else { result.stop = "no candidates in the archive"; return result }
        if let reason = stopReason { result.stop = reason; return result }
        var budget = options.maxCalls.map { $0 - archive.metricCalls } ?? Int.max
        var rng = SeededRandom(["step", String(options.seed), String(archive.metricCalls), String(entries.count)])
        var emitted = Set<String>()

        // 1. Candidates on their way: the next examples of their schedule. A seed's val is owed
        // (reserved from the budget) and fills the pass's idle slots (see `fill`).
        var survivors = [JSON]()
        var owed = [(seed: Entry, val: [String])]()
        var valStage = false
        for entry in entries {
            switch status(entry) {
            case .complete:
                // A parent whose minibatch was not all scored (a transient LM error): ask again.
                let missing = Array(Set(entry.minibatches.joined()).filter { entry.score($0) == nil }).sorted()
                guard !missing.isEmpty, missing.count <= budget else { continue }
                budget -= missing.count
                survivors.append(entry.record(want: missing))
                emitted.insert(entry.id)
            case .dead: result.dropped += 1
            case .waiting: continue
            case .probing(let batch):
                guard batch.count <= budget else { continue }
                budget -= batch.count
                survivors.append(entry.record(want: batch, evolve: ["minibatches": [.array(batch.map(JSON.string))]]))
                emitted.insert(entry.id)
            case .pending(let want):
                guard budget > 0 else { continue }
                if entry.candidate.parents.isEmpty {  // drawn as a parent meanwhile: see `drawSeed`
                    owed.append((entry, Array(want.prefix(budget))))
                    budget -= owed.last!.val.count
                    continue
                }
                valStage = valStage || want.contains { options.val.contains($0) }
                let cut = Array(want.prefix(budget))
                budget -= cut.count
                survivors.append(entry.record(want: cut))
                emitted.insert(entry.id)
            }
        }

        // 2. Parents: those whose minibatches ran propose now; new ones are drawn from the
        // frontier, as many as keep `children` proposals on their way at once.
        let ready = entries.filter { e in
            guard !e.minibatches.isEmpty, e.minibatches.allSatisfy(e.scored), !emitted.contains(e.id) else { return false }
            switch status(e) {
            case .complete, .waiting: return true
            case .pending: return e.candidate.parents.isEmpty  // a seed proposes while its val fills passes
            default: return false
            }
        }
        let primed = entries.filter { !$0.minibatches.isEmpty && !$0.minibatches.allSatisfy($0.scored) }
        let racing = entries.filter { e in
            guard !e.candidate.parents.isEmpty else { return false }
            switch status(e) {
            case .pending, .waiting, .probing: return true
            default: return false
            }
        }
        result.inFlight = racing.count + (ready + primed).reduce(0) { $0 + $1.minibatches.count }
        // A step that would write nothing while budget is left draws again (fresh minibatches), so
        // that duplicate proposals do not end the loop early.
        var parentRecords = [JSON](), affordable = [JSON](), sent = [JSON]()
        let budgetBefore = budget
        for attempt in 0..<5 {
            if attempt > 0 {
                if !(survivors.isEmpty && parentRecords.isEmpty && affordable.isEmpty && sent.isEmpty) || budgetBefore <= 0 { break }
                rng = SeededRandom(["step", String(options.seed), String(archive.metricCalls), String(entries.count), String(attempt)])
            }
            var slots = [String: Int]()
            var drawn = [String]()
            for _ in 0..<max(attempt > 0 ? 1 : 0, options.children - result.inFlight) {
                guard let id = frontier.sample(&rng) ?? drawSeed(&rng) else { break }
                if slots[id] == nil { drawn.append(id) }
                slots[id, default: 0] += 1
            }
            parentRecords = []
            affordable = []
            var proposals = [(parent: Entry, slot: Int, batch: [String])]()
            for parent in ready {
                for (slot, batch) in parent.minibatches.enumerated() { proposals.append((parent, slot, batch)) }
            }
            for id in drawn {
                guard let parent = archive.entries[id] else { continue }
                let batches = minibatches(for: parent, count: slots[id]!, rng: &rng)
                let missing = Array(Set(batches.joined()).filter { parent.score($0) == nil }).sorted()
                if missing.isEmpty {
                    if !ready.contains(where: { $0.id == id }) {
                        for (slot, batch) in batches.enumerated() { proposals.append((parent, slot, batch)) }
                    }
                    continue
                }
                guard missing.count <= budget else { continue }
                budget -= missing.count
                parentRecords.append(parent.record(want: missing, evolve: ["minibatches": .array(batches.map { .array($0.map(JSON.string)) })]))
                emitted.insert(id)
            }
            for parent in ready where !emitted.contains(parent.id) {
                parentRecords.append(parent.record(want: [], evolve: ["minibatches": []]))
                emitted.insert(parent.id)
            }

            // 3. Children: choose an operator per proposal; reflections run as one batch.
            var known = Set(archive.entries.keys)
            var children = [JSON]()
            var pendingReflections = [(parent: Entry, batch: [String], module: String, request: ReflectionRequest)]()
            var gates = 0  // what the children's minibatches will cost at least
            for (parent, slot, read) in proposals {
                let batch = gate(of: read, parent)
                // No reflection is paid for a child whose minibatch the budget cannot run.
                guard gates + batch.count <= budget else { result.notes.append("budget: a child was not proposed"); continue }
                gates += batch.count
                let module = moduleToEdit(parent.candidate.spec, generation: parent.candidate.generation, slot: slot)
                let successes = demos(parent, module: module)
                // A climbing chain learns from its failures: reflection only. Parents on the
                // frontier also try demos (15%) and strategy changes (10%), but reflect next
                // after such a child lost its gate.
                var u = isClimbing(parent) ? 1 : rng.unit()
                if let last = (self.children[parent.id] ?? []).last, last.candidate.origin != Operator.reflect.rawValue,
                   gate(last) == false { u = 1 }
                if u < 0.15, let g = bootstrap(parent.candidate.genome, module: module, successes: successes, rng: &rng),
                   let child = newChild(parent, g, .bootstrap, batch, &known) {
                    children.append(child); continue
                }
                if u >= 0.15, u < 0.25, let g = structural(parent.candidate.genome, spec: parent.candidate.spec, module: module),
                   let child = newChild(parent, g, .structural, batch, &known) {
                    children.append(child); continue
                }
                pendingReflections.append((parent, batch, module, reflectionRequest(parent, module: module, batch: read)))
            }
            // What runs early shares the LM with the reflections: together they stay within `jobs`.
            let idle = options.jobs - pendingReflections.count - wantCount(survivors + parentRecords)
            if !pendingReflections.isEmpty, idle >= 0, !valStage {
                sent = survivors + parentRecords
                fill(&sent, from: &owed, room: idle)
                if !sent.isEmpty { early(sent) }
                (survivors, parentRecords) = ([], [])
            }
            if !pendingReflections.isEmpty {
                let answers = reflector(pendingReflections.map(\.request))
                for (i, p) in pendingReflections.enumerated() {
                    let answer = i < answers.count ? answers[i] : nil
                    if let text = answer, let g = reflect(p.parent.candidate.genome, module: p.module, instruction: text),
                       let child = newChild(p.parent, g, .reflect, p.batch, &known) {
                        children.append(child); continue
                    }
                    // No new instruction: fall back to a demo or a strategy change.
                    if let g = bootstrap(p.parent.candidate.genome, module: p.module, successes: demos(p.parent, module: p.module), rng: &rng),
                       let child = newChild(p.parent, g, .bootstrap, p.batch, &known) {
                        children.append(child)
                    } else if let g = structural(p.parent.candidate.genome, spec: p.parent.candidate.spec, module: p.module),
                              let child = newChild(p.parent, g, .structural, p.batch, &known) {
                        children.append(child)
                    }
                }
            }
            for var child in children {
                if child["want"]?.arrayValue?.count ?? 0 > budget { child = withoutNextMinibatch(child) }
                let cost = child["want"]?.arrayValue?.count ?? 0
                guard cost <= budget else { result.notes.append("budget: a child was not proposed"); continue }
                budget -= cost
                affordable.append(child)
            }

            // 4. At most one merge per step, of two frontier members with a common ancestor.
            if let child = mergeChild(&rng, &known), budget > 0 {
                var c = child
                if case .object(var o) = c, let want = o["want"]?.arrayValue { o["want"] = .array(Array(want.prefix(budget))); c = .object(o) }
                budget -= c["want"]?.arrayValue?.count ?? 0
                affordable.append(c)
                valStage = true
            }
        }

        var records = survivors + parentRecords + affordable
        let size = wantCount(records)
        fill(&records, from: &owed, room: valStage || size == 0 ? Int.max : (options.jobs - size % options.jobs) % options.jobs,
             sent: sent)
        result.records = sent + records
        if result.records.isEmpty { result.stop = "nothing left to evaluate or propose" }
        return result
    }

    /// A parent while no candidate has run all of val: a seed, uniformly. Seeds are the first
    /// parents, and run their first minibatch before their val is done, so that the first
    /// reflection need not wait for val.
    func drawSeed(_ rng: inout SeededRandom) -> String? {
        guard frontier.members.isEmpty else { return nil }
        let seeds = entries.filter { $0.candidate.parents.isEmpty && !$0.failed }
        return seeds.isEmpty ? nil : seeds[rng.int(below: seeds.count)].id
    }

    /// Adds up to `room` examples of the seeds' owed val to `records`: to a seed's record there,
    /// else as a copy of the one in `sent` (written earlier this step, with its `evolve`), else
    /// as a new record. Callers give the slots mkspy-score would leave idle, or all when a val
    /// stage or merge needs the frontier, or when there is nothing else to run.
    func fill(_ records: inout [JSON], from owed: inout [(seed: Entry, val: [String])], room: Int, sent: [JSON] = []) {
        var room = room
        for k in owed.indices where room > 0 {
            let more = Array(owed[k].val.prefix(room))
            guard !more.isEmpty else { continue }
            owed[k].val.removeFirst(more.count)
            room -= more.count
            let id = JSON.string(owed[k].seed.id)
            let i = records.firstIndex { $0["id"] == id }
            let base = i.map { records[$0] } ?? sent.first { $0["id"] == id } ?? owed[k].seed.record(want: [])
            guard case .object(var o) = base else { continue }
            o["want"] = .array((i == nil ? [] : o["want"]?.arrayValue ?? []) + more.map(JSON.string))
            if let i { records[i] = .object(o) } else { records.append(.object(o)) }
        }
    }

    func wantCount(_ records: [JSON]) -> Int { records.reduce(0) { $0 + ($1["want"]?.arrayValue?.count ?? 0) } }

    /// A child's gate: the first `minibatch` of what its parent's reflection read, the parent's
    /// failures first.
    func gate(of read: [String], _ parent: Entry) -> [String] {
        Array(read.sorted { (parent.score($0) ?? 1, $0) < (parent.score($1) ?? 1, $1) }.prefix(options.minibatch)).sorted()
    }

    /// `count` disjoint minibatches of `readSize` train ids for a parent, hard examples first:
    /// those it is known to fail (free, and what reflection learns from), then those its nearest
    /// ancestor that ran them failed, then those no one in its lineage ran, then the rest; each
    /// group in a seeded order. One minibatch, for a parent that failed at least a gate's worth
    /// no reflection read, is just those failures.
    func minibatches(for parent: Entry, count: Int, rng: inout SeededRandom) -> [[String]] {
        var pool = hardFirst(parent, excluding: [], rng: &rng)
        guard !pool.isEmpty else { return [] }
        var size = min(options.readSize, pool.count)
        // Enough failures of its own that no reflection read, to gate a child on: read those,
        // with no pass to run unseen examples first.
        let known = Array(pool.prefix { parent.score($0).map { $0 < 1 } ?? false }.prefix(size))
        if count == 1, known.count >= options.minibatch { (pool, size) = (known, known.count) }
        return (0..<count).map { k in (0..<size).map { pool[(k * size + $0) % pool.count] } }.map { Array(Set($0)).sorted() }
    }

    /// Train ids ordered for probing a candidate's lineage: by the score of the nearest member of
    /// `[parent] + ancestors` that ran each one, failures first (those no reflect child of the parent was
    /// proposed from before the others), then unseen, then successes.
    func hardFirst(_ parent: Entry, excluding: Set<String>, rng: inout SeededRandom) -> [String] {
        let lineage = [parent] + archive.ancestors(of: parent.id).compactMap { archive.entries[$0] }
        let used = Set((children[parent.id] ?? []).filter { $0.candidate.origin == Operator.reflect.rawValue }.flatMap { $0.minibatch ?? [] })
        var failed = [String](), reflected = [String](), unseen = [String](), right = [String]()
        for id in options.train where !excluding.contains(id) {
            switch lineage.lazy.compactMap({ $0.score(id) }).first {
            case let s? where s < 1: if used.contains(id) { reflected.append(id) } else { failed.append(id) }
            case nil: unseen.append(id)
            default: right.append(id)
            }
        }
        // Failures a child was already proposed from come after unseen examples: reflecting on
        // the same failures again mostly proposes the same instruction again.
        return rng.shuffled(failed) + rng.shuffled(unseen) + rng.shuffled(reflected) + rng.shuffled(right)
    }

    /// Demos for `module` from the parent's train traces that scored 1.0, by example id.
    func demos(_ parent: Entry, module: String) -> [JSONObject] {
        guard let strategy = parent.candidate.genome.modules[module]?.strategy else { return [] }
        return options.train.sorted().compactMap { id -> JSONObject? in
            guard parent.score(id) == 1, let trace = parent.scores[id]?["trace"]?.arrayValue,
                  let step = trace.first(where: { stepBelongs($0, to: module) }) else { return nil }
            return demo(fromStep: step, strategy: strategy)
        }
    }

    /// What the reflection LM reads: the module's instruction and, per minibatch example, the
    /// module's inputs and outputs, the score and the feedback.
    func reflectionRequest(_ parent: Entry, module: String, batch: [String]) -> ReflectionRequest {
        let spec = parent.candidate.spec
        let op = spec.operations.first { $0.name == module }
        let instruction = parent.candidate.genome.modules[module]?.instruction ?? ""
        let examples: [JSON] = batch.map { id in
            let entry = parent.scores[id]
            let step = entry?["trace"]?.arrayValue?.first { stepBelongs($0, to: module) }
            var feedback = step?["feedback"]?.stringValue ?? entry?["feedback"]?.stringValue ?? ""
            if let error = entry?["error"]?["message"]?.stringValue, feedback.isEmpty { feedback = "the program failed: \(error)" }
            return ["inputs": step?["inputs"] ?? .object([:]), "outputs": step?["outputs"] ?? entry?["prediction"] ?? .null,
                    "score": entry?["score"] ?? .null, "feedback": .string(feedback)]
        }
        func fields(_ list: [Field]) -> JSON {
            .array(list.map { f in ["name": .string(f.name), "type": .string(f.type),
                                    "desc": .string(parent.candidate.genome.modules[module]?.descriptions[f.name] ?? f.desc)] })
        }
        let json: JSON = ["task": .string(spec.description), "module": .string(module), "instruction": .string(instruction),
                          "inputs": fields(op?.inputs ?? []), "outputs": fields(op?.outputs ?? []), "examples": .array(examples)]
        return ReflectionRequest(module: module, instruction: instruction, json: json)
    }

    /// A child record (no source, so mkspy-gen renders it) with `want` = its gate and, when it may
    /// climb, its own next minibatch of `readSize`, run together; nil when its genome is already
    /// known. Hard examples first: the parent's failures that the reflection read and the gate
    /// left out lead it, so that the child shows whether the lesson took.
    func newChild(_ parent: Entry, _ genome: Genome, _ op: Operator, _ batch: [String], _ known: inout Set<String>) -> JSON? {
        var child = Candidate(spec: parent.candidate.spec, genome: genome, parents: [parent.id], origin: op.rawValue,
                              generation: parent.candidate.generation + 1)
        guard known.insert(child.id).inserted else { return nil }
        var evolve: JSONObject = ["minibatch": .array(batch.map(JSON.string))]
        var want = batch
        let childDepth = isClimbing(parent) ? depth(parent) + 1 : 1
        if options.climb > 1, childDepth < options.climb {
            var rng = SeededRandom(["climb", String(options.seed), child.id])
            let next = nextMinibatch(after: parent, excluding: Set(batch), size: options.readSize, rng: &rng)
            if !next.isEmpty {
                evolve["minibatches"] = [.array(next.map(JSON.string))]
                want = Array(Set(batch + next)).sorted()
            }
        }
        child.extra["evolve"] = .object(evolve)
        child.extra["want"] = .array(want.map(JSON.string))
        return child.json
    }

    /// `child` running its gate only, to fit the budget: without a minibatch of its own it
    /// proposes no child before val.
    func withoutNextMinibatch(_ child: JSON) -> JSON {
        guard case .object(var o) = child, case .object(var evolve)? = o["evolve"], let gate = evolve["minibatch"] else { return child }
        evolve["minibatches"] = nil
        o["evolve"] = .object(evolve)
        o["want"] = gate
        return .object(o)
    }

    /// `size` train examples outside `excluding`, hard ones for the lineage first (see
    /// `hardFirst`): a climbing child's own minibatch, run with its gate, or a probe.
    func nextMinibatch(after parent: Entry, excluding: Set<String>, size: Int, rng: inout SeededRandom) -> [String] {
        Array(hardFirst(parent, excluding: excluding, rng: &rng).prefix(size)).sorted()
    }

    /// A merge of two frontier members that share an ancestor, neither descending from the other,
    /// whose merged genome is new; the better of the two (by val mean) wins where both changed.
    func mergeChild(_ rng: inout SeededRandom, _ known: inout Set<String>) -> JSON? {
        let merges = entries.filter { $0.candidate.origin == Operator.merge.rawValue }.count
        guard merges < options.maxMerges else { return nil }
        let members = frontier.members.map { frontier.ids[$0] }.compactMap { archive.entries[$0] }
        var options = [Candidate]()
        for (i, x) in members.enumerated() {
            for y in members[(i + 1)...] {
                let ax = archive.ancestors(of: x.id), ay = archive.ancestors(of: y.id)
                guard !ax.contains(y.id), !ay.contains(x.id),
                      let common = ax.first(where: { ay.contains($0) }), let ancestor = archive.entries[common] else { continue }
                let (a, b) = (x.mean(self.options.val) ?? 0) >= (y.mean(self.options.val) ?? 0) ? (x, y) : (y, x)
                guard let genome = merge(ancestor: ancestor.candidate.genome, a: a.candidate.genome, b: b.candidate.genome) else { continue }
                let child = Candidate(spec: a.candidate.spec, genome: genome, parents: [a.id, b.id], origin: Operator.merge.rawValue,
                                      generation: max(a.candidate.generation, b.candidate.generation) + 1)
                if !known.contains(child.id) { options.append(child) }
            }
        }
        guard !options.isEmpty else { return nil }
        var child = options[rng.int(below: options.count)]
        known.insert(child.id)
        child.extra["want"] = .array(valOrder.prefix(stages.first ?? 0).map(JSON.string))
        return child.json
    }
}

/// The cumulative stage sizes for `n` val examples: ⌈n/4⌉, ⌈n/2⌉, n, each rounded up to a
/// multiple of `jobs` (the examples mkspy-score runs at once: a smaller stage would take as
/// long), repeats removed.
public func stageSizes(_ n: Int, jobs: Int = 1) -> [Int] {
    var sizes = [Int]()
    for s in [(n + 3) / 4, (n + 1) / 2, n].map({ min(n, (($0 + jobs - 1) / jobs) * jobs) }) where s > 0 && !sizes.contains(s) {
        sizes.append(s)
    }
    return sizes
}

func short(_ id: String) -> String { String(id.prefix(12)) }
