/// The stable rule ids of mkspy-spec, documented in mkspy-spec(1).
public enum SpecRule: String, CaseIterable, Sendable {
    case shape = "SPEC001"
    case specName = "SPEC002"
    case typeName = "SPEC003"
    case typeShadows = "SPEC004"
    case typeDefinition = "SPEC005"
    case typeSyntax = "SPEC006"
    case typeUnresolved = "SPEC007"
    case typeCycle = "SPEC008"
    case fieldShape = "SPEC009"
    case fieldName = "SPEC010"
    case operationShape = "SPEC011"
    case signatureForm = "SPEC012"
    case signatureSyntax = "SPEC013"
    case strategy = "SPEC014"
    case tools = "SPEC015"
    case unboundInput = "SPEC016"
    case typeMismatch = "SPEC017"
    case outputNotProduced = "SPEC018"
    case rebound = "SPEC019"
    case unusedOutput = "SPEC020"
    case unusedInput = "SPEC021"
    case metric = "SPEC022"
    case metricField = "SPEC023"
    case metricMissing = "SPEC024"
    case unknownKey = "SPEC025"
    case nameClash = "SPEC026"
    case program = "SPEC040"
    case programUndecided = "SPEC041"
    case programArguments = "SPEC042"
    case namingCase = "SPEC030"
    case namingAbbreviation = "SPEC031"
    case namingUnderscore = "SPEC032"
    case namingEcho = "SPEC033"
    case namingReserved = "SPEC034"

    public var severity: Diagnostic.Severity {
        switch self {
        case .unusedOutput, .unusedInput, .metricMissing, .unknownKey, .programUndecided, .programArguments,
             .namingCase, .namingAbbreviation, .namingUnderscore, .namingEcho, .namingReserved: .warning
        default: .error
        }
    }
}

/// The naming lint shared by mkspy-spec and mkspy-check: field names are lower-case nouns
/// that say what they hold. Each finding is a (rule, message) pair; all are warnings.
public enum NamingLint {
    static let abbreviations: [String: String] = [
        "val": "value", "txt": "text", "num": "number", "res": "result", "data": "what the data is",
        "tmp": "what it holds", "temp": "what it holds", "str": "text", "arr": "a plural noun",
        "obj": "what the object is", "cnt": "count", "idx": "index", "msg": "message", "resp": "response",
        "req": "request", "ans": "answer", "q": "question", "a": "answer", "x": "what it holds",
        "y": "what it holds", "doc": "document", "docs": "documents", "ctx": "context", "info": "what it holds",
        "desc": "description", "args": "arguments", "params": "parameters",
        "out": "what it holds", "inp": "what it holds", "ret": "what it holds", "stuff": "what it holds",
    ]
    /// Words that mean the same written as one, and filler words.
    static let joinedWords: Set<String> = [
        "keyword", "keywords", "database", "timestamp", "username", "filename", "website", "feedback",
        "headline", "deadline", "checklist", "workflow", "codebase", "password", "email", "subtitle",
        "homepage", "webpage", "playlist", "textbook", "notebook", "overview", "outline", "update",
    ]
    static let fillers: Set<String> = ["the", "a", "an", "my", "some", "this", "that"]
    /// Attributes of dspy.Prediction and dspy.Example that a field of that name would hide.
    public static let predictionAttributes: Set<String> = [
        "items", "keys", "values", "get", "copy", "inputs", "labels", "toDict", "completions", "without",
        "with_inputs", "from_completions", "get_lm_usage", "set_lm_usage", "to_dict", "update", "pop",
    ]

    /// Findings for one field name. `inputs` are the sibling input names when the field is
    /// an operation output; `signatureField` enables the Prediction-attribute rule.
    public static func check(_ name: String, inputs: [String] = [], signatureField: Bool = true) -> [(SpecRule, String)] {
        var found = [(SpecRule, String)]()
        if signatureField, predictionAttributes.contains(name) {
            found.append((.namingReserved, "'\(name)' is an attribute of dspy.Prediction and dspy.Example: pred.\(name) is the method, not the field; choose another name"))
        }
        if name.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
            found.append((.namingCase, "field '\(name)' should be lower_snake_case"))
        }
        let parts = name.split(separator: "_", omittingEmptySubsequences: false).map { $0.lowercased() }
        for part in parts where !part.isEmpty {
            if let better = abbreviations[part] {
                found.append((.namingAbbreviation, "field '\(name)': '\(part)' is an abbreviation or says nothing; name it for \(better)"))
                break
            }
        }
        if name.hasPrefix("_") || name.hasSuffix("_") || name.contains("__") {
            found.append((.namingUnderscore, "field '\(name)' has stray underscores; use single underscores between words"))
        } else if parts.count > 1, joinedWords.contains(parts.joined()) {
            found.append((.namingUnderscore, "field '\(name)': write '\(parts.joined())' as one word"))
        } else if parts.count > 1, let filler = parts.first(where: fillers.contains) {
            found.append((.namingUnderscore, "field '\(name)': drop the filler word '\(filler)'"))
        }
        for input in inputs where name != input && echoes(name, input) {
            found.append((.namingEcho, "output '\(name)' is named like its input '\(input)'; name it for what it holds"))
        }
        return found
    }

    static let echoAffixes = ["out", "output", "new", "result", "final", "updated", "processed", "2"]

    static func echoes(_ output: String, _ input: String) -> Bool {
        echoAffixes.contains { output == "\(input)_\($0)" || output == "\($0)_\(input)" || output == "\(input)\($0)" }
    }
}

/// Python identifiers the generated program uses, which type names must not take.
enum Reserved {
    static let pythonKeywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]
    static let typeNames: Set<String> = [
        "list", "dict", "List", "Dict", "tuple", "set", "type", "object", "bytes", "Any", "Literal", "Optional", "BaseModel",
        "Field", "dspy", "pydantic", "typing", "self", "Prediction", "Example", "Signature", "Module",
    ]

    static func isIdentifier(_ s: String) -> Bool {
        var bytes = s.utf8.makeIterator()
        guard let first = bytes.next(), first == UInt8(ascii: "_") || first.isASCIILetter else { return false }
        while let b = bytes.next() {
            guard b == UInt8(ascii: "_") || b.isASCIILetter || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return false }
        }
        return !pythonKeywords.contains(s)
    }
}

extension UInt8 {
    var isASCIILetter: Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20) }
}
