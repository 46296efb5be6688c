/// SplitMix64: a small seeded generator, so that `--seed` makes every choice reproducible.
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator keyed by several values (the run's seed and what the step is about).
    public init(_ parts: [String]) {
        let digest = sha256(Array(parts.joined(separator: "\u{1F}").utf8))
        state = digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<n.
    public mutating func int(below n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    /// A number in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// One of `items`, which must not be empty.
    public mutating func pick<T>(_ items: [T]) -> T { items[int(below: items.count)] }

    /// True with the given chance, in percent.
    public mutating func chance(_ percent: Int) -> Bool { int(below: 100) < percent }

    /// The elements in a random order (Fisher–Yates).
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var a = items
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(below: i + 1)) }
        return a
    }
}
