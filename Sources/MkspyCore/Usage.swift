/// LM usage: of one example (a score entry's `usage`), or summed over a candidate or a run.
public struct Usage: Equatable, Sendable {
    public var calls = 0, cached = 0, failed = 0, tokensIn = 0, tokensOut = 0
    public var latencyMS = 0.0
    /// Dollars, where the provider's prices are known (`costKnown`).
    public var cost = 0.0
    public var costKnown = false

    public init() {}

    /// Calls that reached the provider (not answered from the cache).
    public var billedCalls: Int { calls - cached }

    public mutating func add(_ other: Usage) {
        calls += other.calls; cached += other.cached; failed += other.failed
        tokensIn += other.tokensIn; tokensOut += other.tokensOut; latencyMS += other.latencyMS
        if other.costKnown { cost += other.cost; costKnown = true }
    }

    public var json: JSON {
        ["lm_calls": .int(calls), "cached_calls": .int(cached), "failed_calls": .int(failed),
         "tokens_in": .int(tokensIn), "tokens_out": .int(tokensOut),
         "latency_ms": .double((latencyMS * 10).rounded() / 10), "cost": costKnown ? .double(cost) : .null]
    }

    /// Reads `{lm_calls, cached_calls, …}`; missing members count 0, a null cost is unknown.
    public init(json: JSON) {
        calls = json["lm_calls"]?.intValue ?? 0
        cached = json["cached_calls"]?.intValue ?? 0
        failed = json["failed_calls"]?.intValue ?? 0
        tokensIn = json["tokens_in"]?.intValue ?? 0
        tokensOut = json["tokens_out"]?.intValue ?? 0
        latencyMS = json["latency_ms"]?.doubleValue ?? 0
        if let c = json["cost"]?.doubleValue { cost = c; costKnown = true }
    }
}
