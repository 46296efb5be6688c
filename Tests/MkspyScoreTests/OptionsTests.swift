import MkspyCore
import MkspyRuntime
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

    @Test func retriesAndTheLMTimeoutHaveTheirFlags() throws {
        let defaults = try parse(["--lm", "openai/x", "--data", "d"]).get()
        #expect(defaults.retries == 3 && defaults.lmTimeoutSeconds == 120)
        let given = try parse(["--lm", "openai/x", "--data", "d", "--retries", "0", "--lm-timeout", "7.5", "--timeout", "30"]).get()
        #expect(given.retries == 0 && given.lmTimeoutSeconds == 7.5 && given.timeoutSeconds == 30)
        let asArguments = try parse(["--lm", "openai/x", "--data", "d", "--lm-arg", "num_retries=5", "--lm-arg", "timeout=9"]).get()
        #expect(asArguments.retries == 5 && asArguments.lmTimeoutSeconds == 9)
        #expect(throws: UsageError.self) { try parse(["--lm", "m", "--data", "d", "--retries", "-1"]).get() }
    }

    /// mkspy-score(1) lists every error code, with whether it is null or 0.
    @Test func theManPageListsEveryErrorCode() throws {
        let page = try #require(readFile(Fixture.repo + "/man/man1/mkspy-score.1")).map { Character(Unicode.Scalar($0)) }
        let text = String(page)
        for code in ErrorCode.allCases {
            let entry = try #require(text.range(of: ".It Ql \(code.rawValue)\n"), "\(code.rawValue) is not listed")
            let verdict = text[entry.upperBound...].prefix(5)
            #expect(verdict.hasPrefix(code.isTransient ? "Null" : "0.\n"), "\(code.rawValue): \(verdict)")
        }
    }

    /// The fields an example must have: the spec's inputs (not the optional ones) and the
    /// metric's gold field, or every output.
    @Test func theFieldsAnExampleNeeds() {
        var spec = Fixture.spec()
        spec.inputs.append(Field(name: "context", type: "str | None"))
        #expect(requiredFields(spec: spec, metric: ["kind": "python"]) == (["review"], ["sentiment"]))
        #expect(requiredFields(spec: spec, metric: ["kind": "exact", "field": "label"]).gold == ["label"])
    }

    @Test func aProviderNeedingAKeyWithoutOneIsNamed() {
        let key = LMConfig(model: "anthropic/claude", key: "sk-x")
        #expect(key.missingKey == nil)
        #expect(LMConfig(model: "ollama_chat/llama3").missingKey == nil)
        if environment("ANTHROPIC_API_KEY")?.isEmpty != false {
            #expect(LMConfig(model: "anthropic/claude").missingKey?.hasPrefix("no API key for anthropic: set ANTHROPIC_API_KEY or MKSPY_LM_KEY") == true)
        }
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
