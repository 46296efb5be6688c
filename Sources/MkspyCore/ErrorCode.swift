/// Why an example has no score of its own, or why its program failed: the `code` of a score
/// entry's `error`. Each is listed in mkspy-score(1). A transient code is not the candidate's
/// doing: the example is left unscored (`score: null`) and stays in `want` for a later run.
public enum ErrorCode: String, CaseIterable, Sendable {
    // The provider's, from DSPy's LM errors.
    case lmRateLimit = "lm_rate_limit"
    case lmTimeout = "lm_timeout"
    case lmServer = "lm_server"
    case lmUnreachable = "lm_unreachable"
    case lmAuth = "lm_auth"
    case lmBilling = "lm_billing"
    case lmContextWindow = "lm_context_window"
    case lmError = "lm_error"
    // The program's or the metric's.
    case parse, memory, exit, program, crash, timeout, load, metric
    // mkspy's own: the scoring worker died, or spoke out of turn.
    case worker, `protocol`

    /// Whether the failure is not the candidate's: the example is tried again later.
    public var isTransient: Bool {
        switch self {
        case .lmRateLimit, .lmTimeout, .lmServer, .lmUnreachable, .lmAuth, .lmBilling, .metric, .worker: true
        default: false
        }
    }

    /// The code of an exception in the worker: the first entry whose class name appears in the
    /// exception's method resolution order; `program` when none does. The worker reads this
    /// table from its session's config, so the two sides cannot drift.
    public static let exceptions: [(className: String, code: ErrorCode)] = [
        ("LMRateLimitError", .lmRateLimit), ("LMTimeoutError", .lmTimeout), ("LMServerError", .lmServer),
        ("LMTransportError", .lmUnreachable), ("LMAuthError", .lmAuth), ("LMBillingError", .lmBilling),
        ("ContextWindowExceededError", .lmContextWindow), ("LMError", .lmError),
        ("AdapterParseError", .parse), ("MemoryError", .memory), ("SystemExit", .exit),
    ]

    /// The table as the worker's config carries it: `[[class name, code], …]`.
    public static var exceptionsJSON: JSON {
        .array(exceptions.map { [.string($0.className), .string($0.code.rawValue)] })
    }
}
