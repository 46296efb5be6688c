/// Why an example has no score of its own, or why its program failed: the `code` of a score
/// entry's `error`. Each is listed in mkspy-score(1). A transient code is not the candidate's
/// doing: the example is left unscored (`score: null`) and stays in `want` for a later run.
public enum ErrorCode: String, CaseIterable, Sendable {
    // The provider's, from DSPy's LM errors.
    case lmRateLimit = "lm_rate_limit"
    case lmTimeout = "lm_timeout"
    case lmServer = "lm_server"
    case lmMalformed = "lm_malformed"
    case lmUnreachable = "lm_unreachable"
    case lmAuth = "lm_auth"
    case lmBilling = "lm_billing"
    case lmContextWindow = "lm_context_window"
    case lmConfig = "lm_config"
    case lmError = "lm_error"
    // The program's or the metric's.
    case parse, memory, exit, program, crash, timeout, load, metric
    // The example's: it lacks a field the program or the metric needs (no LM call is made).
    case data
    // mkspy's own: the scoring worker died, or spoke out of turn, or a candidate's process
    // could not be confined.
    case worker, `protocol`, sandbox

    /// Whether the provider failed, not the program: every `lm_` code but a prompt too long
    /// for the model's context window (the candidate's prompt made it so).
    public var isProvider: Bool { rawValue.hasPrefix("lm_") && self != .lmContextWindow }

    /// Whether the failure is not the candidate's: the example is tried again later.
    public var isTransient: Bool { isProvider || [.metric, .data, .worker, .protocol, .sandbox].contains(self) }

    /// Whether an LM call that failed so is tried again within the run (with backoff):
    /// a refused key, an exhausted account or a request refused as it is does not mend itself.
    public var isRetried: Bool { isProvider && ![.lmAuth, .lmBilling, .lmConfig].contains(self) }

    /// What the user should do about it, as mkspy-score(1) says.
    public var advice: String {
        switch self {
        case .lmRateLimit: "the provider's rate limit: lower -j, or rerun later"
        case .lmTimeout: "no answer within --lm-timeout (or the example's --timeout ran out while it waited on the LM): rerun, or raise --lm-timeout"
        case .lmServer: "the provider answered with a server error (5xx): rerun later"
        case .lmMalformed: "the provider answered 200 with a body that is not a completion (an HTML page, cut JSON): check --lm-base and any proxy, then rerun"
        case .lmUnreachable: "no connection to the LM: check --lm-base and the network, then rerun"
        case .lmAuth: "the provider refused the API key: check --lm-key, MKSPY_LM_KEY or the provider's variable"
        case .lmBilling: "the provider's account is out of credit or quota: top it up, then rerun"
        case .lmContextWindow: "the candidate's prompt is longer than the model's context window: the candidate's failure (score 0)"
        case .lmConfig: "the provider refused the request as it is (HTTP 400), or DSPy the LM's settings: check --lm and --lm-arg"
        case .lmError: "another LM failure: read the message, then rerun"
        case .parse: "the LM's answer did not follow the format the program's adapter asked for (score 0)"
        case .memory: "the program ran out of its --memory limit (score 0)"
        case .exit: "the program called sys.exit (score 0)"
        case .program: "the program raised an exception: fix the program (score 0)"
        case .crash: "the program's process died (os._exit, a signal): fix the program (score 0)"
        case .timeout: "the program's own code ran past --timeout, not waiting on the LM (score 0)"
        case .load: "the candidate's source did not load: fix it (score 0 for every example)"
        case .metric: "the metric raised an exception or did not load: fix the metric, then rerun"
        case .data: "the example lacks an input field of the spec or the metric's gold field: fix the dataset (no LM call was made)"
        case .worker: "the scoring worker exited: see its messages, then rerun"
        case .protocol: "an internal error of mkspy: please report it"
        case .sandbox: "bubblewrap failed to confine the candidate's process before its program loaded: see its messages, then rerun (or MKSPY_SANDBOX=none)"
        }
    }

    /// The code of an exception in the worker: the first entry whose class name appears in the
    /// exception's method resolution order; `program` when none does. The worker reads this
    /// table from its session's config, so the two sides cannot drift.
    public static let exceptions: [(className: String, code: ErrorCode)] = [
        ("LMRateLimitError", .lmRateLimit), ("LMTimeoutError", .lmTimeout), ("LMServerError", .lmServer),
        ("LMTransportError", .lmUnreachable), ("LMAuthError", .lmAuth), ("LMBillingError", .lmBilling),
        ("ContextWindowExceededError", .lmContextWindow), ("LMInvalidRequestError", .lmConfig),
        ("LMConfigurationError", .lmConfig), ("LMUnsupportedFeatureError", .lmConfig), ("LMError", .lmError),
        ("AdapterParseError", .parse), ("MemoryError", .memory), ("SystemExit", .exit),
    ]

    /// What a provider's error turns out to be when its chain of causes shows it: a class name
    /// or text of the error or of one of its causes, and the code it then gets. DSPy reports a
    /// 200 whose body is not a completion as a server error, and its own transport's read
    /// timeout as a transport error; these tell them apart.
    public static let causes: [(marker: String, code: ErrorCode)] = [
        ("JSONDecodeError", .lmMalformed), ("invalid response from LLM endpoint", .lmMalformed),
        ("Received response - <APIResponse [200", .lmMalformed), ("Chat Completions response body is", .lmMalformed),
        ("ReadTimeout", .lmTimeout), ("WriteTimeout", .lmTimeout),
    ]

    /// The tables as the worker's config carries them.
    public static var workerConfig: JSONObject {
        ["error_codes": .array(exceptions.map { [.string($0.className), .string($0.code.rawValue)] }),
         "error_causes": .array(causes.map { [.string($0.marker), .string($0.code.rawValue)] }),
         "provider_codes": .array(allCases.filter(\.isProvider).map { .string($0.rawValue) }),
         "retried_codes": .array(allCases.filter(\.isRetried).map { .string($0.rawValue) })]
    }
}
