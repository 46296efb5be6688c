import MkspyCore

/// The mutation operators. Each is a pure function from genomes (and the evidence it needs) to
/// a new genome, or nil when it has nothing new to offer; a new operator is one new function
/// here and one case in `Operator`.
public enum Operator: String, Sendable, CaseIterable {
    /// The reflection LM rewrites one module's instruction from its traces and feedback.
    case reflect
    /// One module's strategy changes: predict ↔ cot, and react where the operation has tools
    /// (generated programs only).
    case structural
    /// One module's demos gain (or replace the oldest with) a trace that scored 1.0.
    case bootstrap
    /// Two frontier candidates with a common ancestor combine their changed modules.
    case merge
}

/// How many demos bootstrap keeps per module.
public let maxDemos = 3

/// The module a child edits: round robin over the spec's operations along a lineage (the
/// parent's generation picks it), shifted by `slot` for siblings (every child of the parent,
/// earlier ones too).
public func moduleToEdit(_ spec: Spec, generation: Int, slot: Int) -> String {
    let names = spec.operations.map(\.name)
    return names[(generation + slot) % names.count]
}

/// The next strategy of a module: predict → cot → predict, or predict → cot → react → predict
/// when the operation declares tools. Never for a user's program: its structure is its code,
/// which `program.load()` does not change.
public func structural(_ genome: Genome, spec: Spec, module: String) -> Genome? {
    guard spec.program == nil, let op = spec.operations.first(where: { $0.name == module }), var m = genome.modules[module] else { return nil }
    let cycle: [Strategy] = op.tools.isEmpty ? [.predict, .cot] : [.predict, .cot, .react]
    let index = cycle.firstIndex(of: m.strategy) ?? -1
    m.strategy = cycle[(index + 1) % cycle.count]
    if m.strategy != .cot {  // demos keep "reasoning" only where a cot module produces it
        m.demos = m.demos.map { var d = $0; d["reasoning"] = nil; return d }
    }
    var child = genome
    child.modules[module] = m
    return child
}

/// A demo for `module` from one trace step: its inputs and outputs ("reasoning" only for cot).
public func demo(fromStep step: TraceStep, strategy: Strategy) -> JSONObject? {
    guard let inputs = step.inputs.objectValue, let outputs = step.outputs.objectValue else { return nil }
    var d = JSONObject()
    for (k, v) in inputs { d[k] = v }
    for (k, v) in outputs where k != "reasoning" || strategy == .cot { d[k] = v }
    return d
}

/// Adds one of `successes` (demos from traces that scored 1.0) that the module does not have
/// yet; at `maxDemos`, it replaces the oldest. Nil when every success is already a demo.
public func bootstrap(_ genome: Genome, module: String, successes: [JSONObject], rng: inout SeededRandom) -> Genome? {
    guard var m = genome.modules[module] else { return nil }
    let fresh = successes.filter { s in !m.demos.contains(s) }
    guard !fresh.isEmpty else { return nil }
    let pick = fresh[rng.int(below: fresh.count)]
    if m.demos.count >= maxDemos { m.demos.removeFirst() }
    m.demos.append(pick)
    var child = genome
    child.modules[module] = m
    return child
}

/// GEPA's system-aware merge: per module, the version that changed from the common ancestor;
/// where both changed, the version of the better candidate (`a`); where neither did, the
/// ancestor's. Nil unless each side contributes a change the other lacks (else the merge
/// would equal one of them).
public func merge(ancestor: Genome, a: Genome, b: Genome) -> Genome? {
    var child = ancestor
    var fromA = false, fromB = false
    for name in ancestor.modules.keys.sorted() {
        guard let x = ancestor.modules[name], let ma = a.modules[name], let mb = b.modules[name] else { return nil }
        switch (ma != x, mb != x) {
        case (true, false): child.modules[name] = ma; fromA = true
        case (false, true): child.modules[name] = mb; fromB = true
        case (true, true): child.modules[name] = ma
        case (false, false): child.modules[name] = x
        }
    }
    return fromA && fromB ? child : nil
}

/// The module with a new instruction.
public func reflect(_ genome: Genome, module: String, instruction: String) -> Genome? {
    let text = instruction.trimmingWhitespace
    guard var m = genome.modules[module], !text.isEmpty, text != m.instruction else { return nil }
    m.instruction = text
    var child = genome
    child.modules[module] = m
    return child
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let start = scalars.firstIndex(where: { !isSpace($0) }),
              let end = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[start...end])
    }
}
