import MkspyCore
import MkspyRuntime

/// mkspy-score: evaluates checked candidates on datasets under real DSPy.
public enum ScoreTool {
    public static let command = CommandSpec(tool: "mkspy-score", help: """
        usage: mkspy-score --data FILE... [--metric KIND|metric.json] [--lm MODEL] [--lm-base URL]
                           [--lm-key KEY] [--lm-arg K=V]... [-j N] [--max-calls N] [--max-tokens N]
                           [--max-cost USD] [--cache DIR] [--log FILE] [--timeout SECONDS]
                           [--lm-timeout SECONDS] [--retries N] [--memory MB]
                           [--program-arg K=V]... [--force] [-q] [FILE...]

        Run each checked candidate's program under DSPy on its `want` examples (every --data
        example when it has none), skipping examples it already has a score for, and write the
        candidate back with `scores` (per example: score, feedback, prediction, trace, error,
        usage), `usage` and `summary`. Other records pass through unchanged, in order.

          --data FILE        a JSON Lines dataset; may repeat, ids are unique across files
          --metric M         exact, f1, contains, numeric, json, or a metric.json file
                             (default: the spec's metric)
          --lm MODEL         dspy.LM model string (default $MKSPY_LM)
          --lm-base URL      API base URL (default $MKSPY_LM_BASE)
          --lm-key KEY       API key (default $MKSPY_LM_KEY, else the provider's variable)
          --lm-arg K=V       extra dspy.LM argument, e.g. max_tokens=512, num_retries=5
                             (default $MKSPY_LM_ARGS: "K=V K=V")
          -j, --jobs N       examples run in parallel (default 4)
          --max-calls N      LM call budget (calls answered from the cache are free)
          --max-tokens N     token budget (in + out)
          --max-cost USD     cost budget, where the provider's prices are known
          --cache DIR        DSPy's LM cache (default ~/.cache/mkspy/lm-cache)
          --log FILE         append one JSON line per LM call (telemetry)
          --timeout SECONDS  per-example time limit of the program (default 300); an example
                             stopped while it waits on the LM is an lm_timeout, not the program's
          --lm-timeout S     time limit of one LM request, in seconds (default
                             $MKSPY_LM_TIMEOUT, else 120); a request past it is an lm_timeout
          --retries N        times a failed LM call is tried again, with exponential backoff
                             and jitter, before its example is left unscored in want
                             (default 3; --lm-arg num_retries=N says the same)
          --memory MB        per-program memory limit (default 4096)
          --program-arg K=V  build a user's program class with K=V (V as JSON when it
                             parses, else a string); may repeat
          --force            also score unchecked or failed candidates
          -q, --quiet        no progress or warnings on stderr (errors are still said)
          -h, --help         show this help
          --version          show the version

        An example the provider failed (lm_* codes) has score null and stays in want; an example
        that lacks an input or gold field is a data error, costs no LM call, and stays in want.

        Exit status: 0 done, 1 a record or example had errors (or every example failed), 2 usage
        error, 3 the run could not proceed (runtime missing, no API key, LM unreachable, budget
        exhausted before any work, every example failing with metric or sandbox). See mkspy-score(1)
        for each error code.

        """, options: [
            .init("--data", value: true), .init("--metric", value: true), .init("--lm", value: true),
            .init("--lm-base", value: true), .init("--lm-key", value: true), .init("--lm-arg", value: true),
            .init("-j", "--jobs", value: true), .init("--max-calls", value: true), .init("--max-tokens", value: true),
            .init("--max-cost", value: true), .init("--cache", value: true), .init("--log", value: true),
            .init("--timeout", value: true), .init("--lm-timeout", value: true), .init("--retries", value: true),
            .init("--memory", value: true), .init("--program-arg", value: true), .init("--force"), .init("-q", "--quiet"),
        ])

    public static func main(_ argv: [String]) -> Never {
        let arguments = Arguments.parse(argv, command)
        let filter = Filter(tool: command.tool)
        filter.quiet = arguments.flag("--quiet")
        switch options(arguments) {
        case .failure(let error):
            filter.diagnose(nil, error.message)
            printError("usage: see 'mkspy-score --help'")
            exit(.usage)
        case .success(let options):
            let (dataset, problems) = Dataset.load(options.data)
            if !problems.isEmpty {
                for p in problems { filter.diagnose(nil, p) }
                exit(.usage)
            }
            Scorer(options: options, filter: filter, dataset: dataset).run(arguments.operands)
        }
    }

    /// The options a command line asks for, or what is wrong with it.
    public static func options(_ arguments: Arguments) -> Result<ScoreOptions, UsageError> {
        do throws(UsageError) {
            guard let lm = try LMConfig.task(arguments) else {
                throw UsageError("no LM: give --lm MODEL (a dspy.LM model string such as openai/gpt-4o-mini) or set MKSPY_LM")
            }
            var options = ScoreOptions(lm: lm)
            options.data = arguments.all("--data")
            guard !options.data.isEmpty else { throw UsageError("--data FILE is required: the examples to evaluate on") }
            if let metric = arguments.value("--metric") { options.metric = try metricObject(metric).get() }
            options.jobs = try arguments.integer("--jobs", minimum: 1) ?? 4
            options.budget = Budget(calls: try arguments.integer("--max-calls", minimum: 0),
                                    tokens: try arguments.integer("--max-tokens", minimum: 0),
                                    cost: try arguments.decimal("--max-cost"))
            options.timeoutSeconds = try arguments.decimal("--timeout") ?? 300
            let lmTimeoutVariable = try lmTimeout(environment("MKSPY_LM_TIMEOUT"))
            options.lmTimeoutSeconds = try arguments.decimal("--lm-timeout") ?? lmTimeoutVariable ?? lm.arguments["timeout"]?.doubleValue ?? 120
            options.retries = try arguments.integer("--retries", minimum: 0) ?? lm.arguments["num_retries"]?.intValue ?? 3
            options.memoryMB = try arguments.integer("--memory", minimum: 64) ?? 4096
            options.cacheDirectory = PythonEnvironment.lmCache(arguments.value("--cache"))
            options.logPath = arguments.value("--log")
            options.programArguments = try programArguments(arguments.all("--program-arg"))
            options.force = arguments.flag("--force")
            options.quiet = arguments.flag("--quiet")
            return .success(options)
        } catch {
            return .failure(error)
        }
    }

    /// `--program-arg K=V`s: K a Python identifier, V a JSON value when it parses as one
    /// (`k=3`, `flag=true`, `names=["a"]`), else the string as written (`model=small`).
    static func programArguments(_ pairs: [String]) throws(UsageError) -> JSONObject {
        var arguments = JSONObject()
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), isPythonIdentifier(String(pair[..<equals])) else {
                throw UsageError("--program-arg '\(pair)': expected NAME=VALUE, NAME a parameter of the program's constructor")
            }
            let text = String(pair[pair.index(after: equals)...])
            arguments[String(pair[..<equals])] = (try? JSON.parse(Array(text.utf8))) ?? .string(text)
        }
        return arguments
    }

    /// MKSPY_LM_TIMEOUT's seconds; nil when unset.
    static func lmTimeout(_ text: String?) throws(UsageError) -> Double? {
        guard let text, !text.isEmpty else { return nil }
        guard let seconds = Double(text), seconds > 0 else { throw UsageError("MKSPY_LM_TIMEOUT must be a number of seconds above 0, got '\(text)'") }
        return seconds
    }

    /// `--metric`: a built-in kind, or a JSON file holding a metric object.
    static func metricObject(_ value: String) -> Result<JSONObject, UsageError> {
        if ["exact", "f1", "contains", "numeric", "json"].contains(value) { return .success(["kind": .string(value)]) }
        if ["python", "judge"].contains(value) {
            return .failure(UsageError("--metric \(value) needs settings: write them in a metric.json file and pass its path"))
        }
        guard let bytes = readFile(value) else {
            return .failure(UsageError("--metric '\(value)' is neither a metric kind (exact, f1, contains, numeric, json) nor a readable file"))
        }
        guard let json = try? JSON.parse(bytes), let object = json.objectValue, object["kind"]?.stringValue != nil else {
            return .failure(UsageError("--metric \(value): expected a JSON object with a \"kind\", like {\"kind\": \"numeric\", \"field\": \"total\", \"tolerance\": 0.01}"))
        }
        return .success(object)
    }
}

/// Whether `name` is an ASCII Python identifier (what a keyword argument can be named).
func isPythonIdentifier(_ name: String) -> Bool {
    guard let first = name.utf8.first, first == 0x5F || (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A else { return false }
    return name.utf8.allSatisfy { $0 == 0x5F || ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || $0 >= 0x30 && $0 <= 0x39 }
}

let clockStart = ContinuousClock.now

/// Seconds since the process started, from a monotonic clock.
func monotonicSeconds() -> Double {
    let d = ContinuousClock.now - clockStart
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
