import MkspyCore

/// A dspy.LM's settings, for the task LM (mkspy-score) and the reflection LM (mkspy-evolve):
/// a model string, its base URL and key, and extra keyword arguments (`max_tokens=512`).
public struct LMConfig: Sendable {
    public var model: String
    public var base: String?
    public var key: String?
    /// Extra `dspy.LM` keyword arguments; `num_retries` among them (default 3).
    public var arguments: JSONObject

    public init(model: String, base: String? = nil, key: String? = nil, arguments: JSONObject = [:]) {
        self.model = model; self.base = base; self.key = key; self.arguments = arguments
    }

    /// What the runtime's `build_lm` reads: `{model, api_base, api_key, num_retries, kwargs}`.
    public var json: JSON {
        var kwargs = arguments
        let retries = kwargs["num_retries"] ?? .int(3)
        kwargs["num_retries"] = nil
        return ["model": .string(model), "api_base": base.map(JSON.string) ?? .null,
                "api_key": key.map(JSON.string) ?? .null, "num_retries": retries, "kwargs": .object(kwargs)]
    }

    /// The environment variable of each provider that needs an API key, as LiteLLM reads it.
    static let keyVariables = [
        "openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "gemini": "GEMINI_API_KEY", "groq": "GROQ_API_KEY",
        "mistral": "MISTRAL_API_KEY", "deepseek": "DEEPSEEK_API_KEY", "openrouter": "OPENROUTER_API_KEY",
        "xai": "XAI_API_KEY", "cohere": "COHERE_API_KEY",
    ]

    /// What is wrong when the model's provider needs an API key and none is given (no key of
    /// its own, and its variable unset or empty): said before any call, which could only fail.
    /// Nil for a provider that needs none (ollama, a local server) or that mkspy does not know.
    public var missingKey: String? {
        guard key?.isEmpty != false, let slash = model.firstIndex(of: "/"),
              let variable = Self.keyVariables[String(model[..<slash])], environment(variable)?.isEmpty != false else { return nil }
        return "no API key for \(model[..<slash]): set \(variable) or MKSPY_LM_KEY (or pass --lm-key)"
    }

    /// The task LM: `--lm`, `--lm-base`, `--lm-key`, `--lm-arg K=V` (repeatable), each falling
    /// back to `MKSPY_LM`, `MKSPY_LM_BASE`, `MKSPY_LM_KEY`, `MKSPY_LM_ARGS` ("K=V K=V").
    /// Nil when no model is named.
    public static func task(_ arguments: Arguments) throws(UsageError) -> LMConfig? {
        try resolve(arguments, flag: "--lm", variable: "MKSPY_LM", fallback: nil)
    }

    /// The reflection LM: `--reflection-lm…` and `MKSPY_REFLECTION_LM…` likewise, each falling
    /// back to the task LM's variable.
    public static func reflection(_ arguments: Arguments) throws(UsageError) -> LMConfig? {
        try resolve(arguments, flag: "--reflection-lm", variable: "MKSPY_REFLECTION_LM", fallback: "MKSPY_LM")
    }

    static func resolve(_ arguments: Arguments, flag: String, variable: String, fallback: String?) throws(UsageError) -> LMConfig? {
        func setting(_ suffix: String) -> String? {
            arguments.value(flag + suffix.lowercased().replacingUnderscores) ?? environment(variable + suffix)
                ?? fallback.flatMap { environment($0 + suffix) }
        }
        guard let model = setting("") else { return nil }
        var pairs = arguments.all(flag + "-arg")
        if pairs.isEmpty, let text = environment(variable + "_ARGS") ?? fallback.flatMap({ environment($0 + "_ARGS") }) {
            pairs = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        }
        var kwargs = JSONObject()
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw UsageError("\(flag)-arg needs KEY=VALUE, got '\(pair)'")
            }
            let value = String(pair[pair.index(after: eq)...])
            kwargs[String(pair[..<eq])] = (try? JSON.parse(Array(value.utf8))) ?? .string(value)
        }
        return LMConfig(model: model, base: setting("_BASE"), key: setting("_KEY"), arguments: kwargs)
    }
}

extension String {
    /// `_BASE` → `-base`: an environment suffix as a flag suffix.
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
