import MkspyCore

/// What one evolve step is told: the data ids, how many children to make, the seed and the
/// stopping rules.
public struct EvolveOptions: Sendable {
    /// Train example ids (minibatches, reflection, demos), in file order.
    public var train: [String] = []
    /// Val example ids (the Pareto frontier and the staged evaluation), in file order.
    public var val: [String] = []
    /// Children proposed per step (`--children`).
    public var children = 2
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
    /// The most of `maxCalls` that val may take: a larger val is cut to that many of its
    /// examples, so that the seed, a finalist or two and the search between them fit
    /// (with val larger than the budget no candidate was ever scored on all of it: no leader, no
    /// frontier, no best). On the tuning task with 200 val examples (fee_cot_bigval), test at
    /// 200/300/400/800 calls: uncut 0.000/0.673/0.673/0.779, a half 0.673/0.673/-/-, a quarter
    /// 0.773/0.780/0.780/0.779, an eighth 0.766/0.796/0.782/0.778.
    public var valShare = 0.25

    public init() {}

    /// Val examples the search keeps out of `count`: all, unless the budget is too small for them.
    public func affordableVal(_ count: Int) -> Int {
        guard let maxCalls else { return count }
        let cap = Double(maxCalls) * valShare
        return cap >= Double(count) ? count : max(1, Int(cap))
    }

    /// What a reflection reads: a parent's minibatch, and a climbing child's own. Unless set,
    /// sixteen (at least the gate): a reflection that reads more failures learns more. On the
    /// suite's tuning tasks at 400 metric calls with two children, reading 5, 8, 12, 16 and 24
    /// reached a mean best val of 0.697, 0.768, 0.791, 0.799 and 0.789
    /// (share/mkspy/bench/suite_bench.results.txt).
    public var readSize: Int { reflectionMinibatch ?? max(minibatch, 16) }
}
