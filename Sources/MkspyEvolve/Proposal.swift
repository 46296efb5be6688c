import MkspyCore

/// A child to be proposed from a parent: the train examples its reflection reads, the gate it
/// must pass, and the module it edits. What it becomes (reflection, demo or strategy change) is
/// decided by `propose`.
struct Proposal {
    let parent: Entry
    /// Train examples a reflection reads: the parent's minibatch.
    let read: [String]
    /// The first `minibatch` of `read`, the parent's failures first: the child must beat the
    /// parent there.
    let gate: [String]
    let module: String
}

/// What becomes of a proposal: a child at once, or a reflection to ask for first.
enum Proposed {
    case child(Candidate)
    case reflection(ReflectionRequest)
}

/// The proposer: which operator makes each child, the child records, and merges.
extension Evolver {
    /// The `slot`th proposal from `parent` this step. Its module follows the parent's children
    /// so far: a parent drawn again and again (one child a step) still edits each module in turn.
    func proposal(_ parent: Entry, slot: Int, read: [String]) -> Proposal {
        let earlier = children[parent.id]?.count ?? 0
        return Proposal(parent: parent, read: read, gate: gate(of: read, parent),
                        module: moduleToEdit(parent.candidate.spec, generation: parent.candidate.generation, slot: earlier + slot))
    }

    /// A climbing chain learns from its failures: reflection only. Parents on the frontier
    /// also try demos (15%) and strategy changes (10%), but reflect next after such a child
    /// lost its gate.
    func propose(_ p: Proposal, rng: inout SeededRandom, known: inout Set<String>) -> Proposed {
        let genome = p.parent.candidate.genome
        let successes = demos(p.parent, module: p.module)
        var u = isClimbing(p.parent) ? 1 : rng.unit()
        if let last = (children[p.parent.id] ?? []).last, last.candidate.origin != Operator.reflect.rawValue, gate(last) == false { u = 1 }
        if u < 0.15, let g = bootstrap(genome, module: p.module, successes: successes, rng: &rng),
           let child = newChild(p, g, .bootstrap, &known) {
            return .child(child)
        }
        if u >= 0.15, u < 0.25, let g = structural(genome, spec: p.parent.candidate.spec, module: p.module),
           let child = newChild(p, g, .structural, &known) {
            return .child(child)
        }
        return .reflection(reflectionRequest(p.parent, module: p.module, batch: p.read))
    }

    /// The child a reflection's answer makes; with no new instruction, a demo or a strategy
    /// change instead.
    func answered(_ p: Proposal, instruction: String?, rng: inout SeededRandom, known: inout Set<String>) -> Candidate? {
        let genome = p.parent.candidate.genome
        if let text = instruction, let g = reflect(genome, module: p.module, instruction: text), let child = newChild(p, g, .reflect, &known) {
            return child
        }
        if let g = bootstrap(genome, module: p.module, successes: demos(p.parent, module: p.module), rng: &rng),
           let child = newChild(p, g, .bootstrap, &known) {
            return child
        }
        if let g = structural(genome, spec: p.parent.candidate.spec, module: p.module), let child = newChild(p, g, .structural, &known) {
            return child
        }
        return nil
    }

    /// A child (no source, so mkspy-gen renders it) with `want` = its gate and, when it may
    /// climb, its own next minibatch of `readSize`, run together; nil when its genome is already
    /// known. Hard examples first: the parent's failures that the reflection read and the gate
    /// left out lead it, so that the child shows whether the lesson took.
    func newChild(_ p: Proposal, _ genome: Genome, _ op: Operator, _ known: inout Set<String>) -> Candidate? {
        var child = Candidate(spec: p.parent.candidate.spec, genome: genome, parents: [p.parent.id], origin: op.rawValue,
                              generation: p.parent.candidate.generation + 1)
        guard known.insert(child.id).inserted else { return nil }
        var marks = EvolveMarks(minibatch: p.gate)
        var want = p.gate
        let childDepth = isClimbing(p.parent) ? depth(p.parent) + 1 : 1
        if options.climb > 1, childDepth < options.climb, canClimb {
            var rng = SeededRandom(["climb", String(options.seed), child.id])
            let next = nextMinibatch(after: p.parent, excluding: Set(p.gate), size: options.readSize, rng: &rng)
            if !next.isEmpty {
                marks.minibatches = [next]
                want = Array(Set(p.gate + next)).sorted()
            }
        }
        child.evolve = marks
        child.want = want
        return child
    }

    /// Demos for `module` from the parent's train traces that scored 1.0, by example id.
    func demos(_ parent: Entry, module: String) -> [JSONObject] {
        guard let strategy = parent.candidate.genome.modules[module]?.strategy else { return [] }
        return options.train.sorted().compactMap { id -> JSONObject? in
            guard parent.score(id) == 1, let step = parent.scores[id]?.trace.first(where: { $0.belongs(to: module) }) else { return nil }
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
            let step = entry?.trace.first { $0.belongs(to: module) }
            var feedback = step?.feedback ?? entry?.feedback ?? ""
            if let error = entry?.error?.message, feedback.isEmpty { feedback = "the program failed: \(error)" }
            return ["inputs": step?.inputs ?? .object([:]), "outputs": step?.outputs ?? entry?.prediction ?? .null,
                    "score": entry?.score.map(JSON.double) ?? .null, "feedback": .string(feedback)]
        }
        func fields(_ list: [Field]) -> JSON {
            .array(list.map { f in ["name": .string(f.name), "type": .string(f.type),
                                    "desc": .string(parent.candidate.genome.modules[module]?.descriptions[f.name] ?? f.desc)] })
        }
        let json: JSON = ["task": .string(spec.description), "module": .string(module), "instruction": .string(instruction),
                          "inputs": fields(op?.inputs ?? []), "outputs": fields(op?.outputs ?? []), "examples": .array(examples),
                          "step": .int(stepNumber)]
        return ReflectionRequest(module: module, instruction: instruction, json: json)
    }

    /// A merge of two frontier members that share an ancestor, neither descending from the other,
    /// whose merged genome is new; the better of the two (by val mean) wins where both changed.
    /// It runs the first val stage.
    func mergeChild(_ rng: inout SeededRandom, _ known: inout Set<String>) -> Candidate? {
        let merges = entries.filter { $0.candidate.origin == Operator.merge.rawValue }.count
        guard merges < options.maxMerges else { return nil }
        let members = frontier.members.map { frontier.ids[$0] }.compactMap { archive.entries[$0] }
        var found = [Candidate]()
        for (i, x) in members.enumerated() {
            for y in members[(i + 1)...] {
                let ax = archive.ancestors(of: x.id), ay = archive.ancestors(of: y.id)
                guard !ax.contains(y.id), !ay.contains(x.id),
                      let common = ax.first(where: { ay.contains($0) }), let ancestor = archive.entries[common] else { continue }
                let (a, b) = (x.mean(options.val) ?? 0) >= (y.mean(options.val) ?? 0) ? (x, y) : (y, x)
                guard let genome = merge(ancestor: ancestor.candidate.genome, a: a.candidate.genome, b: b.candidate.genome) else { continue }
                let child = Candidate(spec: a.candidate.spec, genome: genome, parents: [a.id, b.id], origin: Operator.merge.rawValue,
                                      generation: max(a.candidate.generation, b.candidate.generation) + 1)
                if !known.contains(child.id) { found.append(child) }
            }
        }
        guard !found.isEmpty else { return nil }
        var child = found[rng.int(below: found.count)]
        known.insert(child.id)
        child.want = Array(valOrder.prefix(stages.first ?? 0))
        return child
    }
}
