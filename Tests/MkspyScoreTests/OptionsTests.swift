import MkspyCore
import Testing

@testable import MkspyScore

@Suite struct OptionsTests {
    func parse(_ argv: [String]) -> Result<ScoreOptions, UsageError> {
        guard case .success(let arguments) = Arguments.parseOrFail(argv, ScoreTool.command) else {
            return .failure(UsageError("bad command line"))
        }
        return ScoreTool.options(arguments)
    }

    @Test func lmArgumentsAreReadAsJSONWhenTheyCanBe() throws {
        let options = try parse(["--lm", "openai/x", "--data", "d.jsonl", "--lm-arg", "temperature=0.5",
                                 "--lm-arg", "num_retries=5", "--lm-arg", "stop=END", "-j", "8", "--max-calls", "50"]).get()
        #expect(options.lm.arguments["temperature"] == .number("0.5"))
        #expect(options.lm.arguments["stop"] == "END")
        #expect(options.lm.json["num_retries"] == 5)
        #expect(options.lm.json["kwargs"]?["num_retries"] == nil)
        #expect(options.jobs == 8)
        #expect(options.budget.calls == 50)
    }

    @Test func misuseSaysWhatIsWrong() {
        #expect(throws: UsageError.self) { try parse(["--lm", "m"]).get() }
        #expect(throws: UsageError.self) { try parse(["--lm", "m", "--data", "d", "-j", "0"]).get() }
        #expect(throws: UsageError.self) { try parse(["--lm", "m", "--data", "d", "--lm-arg", "novalue"]).get() }
        #expect(throws: UsageError.self) { try parse(["--lm", "m", "--data", "d", "--metric", "python"]).get() }
        #expect(throws: UsageError.self) { try parse(["--lm", "m", "--data", "d", "--metric", "/nonexistent.json"]).get() }
    }

    @Test func programArgumentsAreJSONWhenTheyParseElseText() throws {
        let options = try parse(["--lm", "m", "--data", "d", "--program-arg", "passages=3", "--program-arg", #"labels=["a","b"]"#,
                                 "--program-arg", "model=small", "--program-arg", "note=a=b", "--program-arg", "strict=true"]).get()
        #expect(options.programArguments == ["passages": 3, "labels": ["a", "b"], "model": "small", "note": "a=b", "strict": true])
        #expect(throws: UsageError.self) { try parse(["--lm", "m", "--data", "d", "--program-arg", "novalue"]).get() }
        #expect(throws: UsageError.self) { try parse(["--lm", "m", "--data", "d", "--program-arg", "2x=1"]).get() }
    }

    @Test func aMetricKindNeedsNoFile() throws {
        #expect(try parse(["--lm", "m", "--data", "d", "--metric", "f1"]).get().metric == ["kind": "f1"])
    }

    @Test func budgetsCountBilledCallsTokensAndCost() {
        var usage = Usage()
        usage.add(Usage(json: ["lm_calls": 5, "cached_calls": 2, "tokens_in": 100, "tokens_out": 20, "cost": .number("0.5")]))
        #expect(Budget(calls: 3).exhausted(by: usage))
        #expect(!Budget(calls: 4).exhausted(by: usage))
        #expect(Budget(tokens: 120).exhausted(by: usage))
        #expect(Budget(cost: 0.5).exhausted(by: usage))
        #expect(!Budget().exhausted(by: usage))
    }
}
