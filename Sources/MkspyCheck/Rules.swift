import MkspyCore

/// The stable rule ids of mkspy-check, each documented in mkspy-check(1) with a violating
/// example and its fix.
public enum CheckRule: String, CaseIterable, Sendable {
    // Syntax
    case syntax = "PY001"
    // DSPy structure
    case noDSPyImport = "DSPY001"
    case noModule = "DSPY002"
    case noForward = "DSPY003"
    case forwardFallsThrough = "DSPY004"
    case fieldsOutsideSignature = "DSPY005"
    case signatureWithoutFields = "DSPY006"
    case malformedSignature = "DSPY007"
    case unknownSignature = "DSPY008"
    case undeclaredField = "DSPY009"
    // Conformance to the candidate's spec
    case unreadableCandidate = "CONF001"
    case missingSignature = "CONF002"
    case fieldNames = "CONF003"
    case fieldType = "CONF004"
    case forwardParameters = "CONF005"
    case outputsNotReturned = "CONF006"
    case strategy = "CONF007"
    // Practices DSPy forbids
    case handWrittenPrompt = "PRAC001"
    case directCompletion = "PRAC002"
    case rawTextParsing = "PRAC003"
    case forwardCalled = "PRAC004"
    // Security (Security.swift; each documented in mkspy-check(1))
    case dynamicCode = "SEC001"
    case dynamicImport = "SEC002"
    case process = "SEC003"
    case fileWrite = "SEC004"
    case unsafeLoad = "SEC005"
    case builtinsNamespace = "SEC006"
    case moduleLookup = "SEC007"
    case dunderTraversal = "SEC008"
    case nativeCode = "SEC009"
    case network = "SEC010"
    case secret = "SEC011"
    case debugger = "SEC012"
    // Naming lint of signature fields (NamingLint, shared with mkspy-spec)
    case namingCase = "NAME001"
    case namingAbbreviation = "NAME002"
    case namingUnderscore = "NAME003"
    case namingEcho = "NAME004"
    case namingReserved = "NAME005"

    /// Findings that make the program fail when it runs: errors even in `.py` operands.
    public var failsAtRunTime: Bool {
        self == .syntax || self == .malformedSignature || self == .unknownSignature || self == .undeclaredField
    }

    /// The naming lint: warnings everywhere.
    public var isNaming: Bool { rawValue.hasPrefix("NAME") }

    /// The naming rule that stands for one of mkspy-spec's naming rules.
    static func naming(_ rule: SpecRule) -> CheckRule {
        switch rule {
        case .namingCase: .namingCase
        case .namingAbbreviation: .namingAbbreviation
        case .namingUnderscore: .namingUnderscore
        case .namingEcho: .namingEcho
        default: .namingReserved
        }
    }
}

/// What is being checked, which sets the severities.
public enum CheckMode: Sendable {
    /// A candidate's source: every rule but the naming lint is an error.
    case candidate
    /// A `.py` operand: only what fails at run time is an error, unless `strict`.
    case file(strict: Bool)

    func severity(_ rule: CheckRule) -> Diagnostic.Severity {
        if rule.isNaming { return .warning }
        switch self {
        case .candidate: return .error
        case .file(let strict): return strict || rule.failsAtRunTime ? .error : .warning
        }
    }
}

/// A finding before its severity is set: the rule, the message and the node it is about.
struct Finding {
    let rule: CheckRule
    let message: String
    let line: Int, col: Int, endLine: Int, endCol: Int
    /// A warning in every mode: the milder case of its rule (a write that stays in the
    /// working directory, SEC004).
    var advisory = false

    func diagnostic(_ mode: CheckMode) -> Diagnostic {
        Diagnostic(rule.rawValue, advisory ? .warning : mode.severity(rule), message, line: line, col: col, endLine: endLine, endCol: endCol)
    }
}
