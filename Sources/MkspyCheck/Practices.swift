import PythonSyntax

/// Practices DSPy forbids (PRAC).
extension Checker {
    static let completionTails = [".chat.completions.create", ".completions.create", ".responses.create",
                                  "openai.ChatCompletion.create", "openai.Completion.create"]
    static let litellmCalls: Set<String> = ["completion", "acompletion", "text_completion", "atext_completion",
                                            "batch_completion", "responses", "aresponses"]
    static let textParsers: Set<String> = ["json.loads", "ast.literal_eval", "re.match", "re.search", "re.findall",
                                           "re.fullmatch", "re.finditer", "re.sub", "re.split", "yaml.safe_load", "yaml.load"]

    /// Whether a call sends a prompt to a model by hand (PRAC001) or through a provider SDK (PRAC002).
    func promptCall(_ call: Node) -> CheckRule? {
        guard let f = call.node("func") else { return nil }
        if f.type == "Call", let inner = f.node("func"), program.isDSPy(inner, "LM") { return .handWrittenPrompt }
        if let d = program.dotted(f) {
            if program.lmHandles.contains(d) { return .handWrittenPrompt }
            if program.qualified(f).map({ $0.hasPrefix("dspy.") && $0.hasSuffix("settings.lm") }) == true { return .handWrittenPrompt }
            if d == "lm" || d == "self.lm", let first = call.argument(0, "prompt") ?? call.keyword("messages"),
               first.type == "Constant" || first.type == "JoinedStr" || first.type == "List" || first.type == "BinOp" || call.keyword("messages") != nil {
                return .handWrittenPrompt
            }
        }
        if let q = program.qualified(f) {
            if Self.completionTails.contains(where: { q.hasSuffix($0) || q == String($0.dropFirst()) }) { return .directCompletion }
            if q.hasPrefix("litellm."), let last = q.split(separator: ".").last, Self.litellmCalls.contains(String(last)) {
                return .directCompletion
            }
        }
        return nil
    }

    static let parserMethods: Set<String> = ["search", "match", "fullmatch", "findall", "finditer", "sub", "split",
                                             "model_validate_json", "parse_raw"]

    /// The name of a function that parses text (`json.loads`, `re.search`, a compiled
    /// pattern's `.search`, a Pydantic model's `.model_validate_json`), or nil.
    func textParser(_ f: Node) -> String? {
        if let q = program.qualified(f), Self.textParsers.contains(q) { return q }
        if f.type == "Attribute", let attr = f.string("attr"), Self.parserMethods.contains(attr) { return ".\(attr)" }
        return nil
    }

    /// `x.choices[0].message.content`, `x.choices[0].text`: raw completion text.
    static func isRawCompletionText(_ n: Node) -> Bool {
        guard n.type == "Attribute", let attr = n.string("attr"), attr == "content" || attr == "text" else { return false }
        var inner = n.node("value")
        if attr == "content" {
            guard let m = inner, m.type == "Attribute", m.string("attr") == "message" else { return false }
            inner = m.node("value")
        }
        guard let sub = inner, sub.type == "Subscript", let choices = sub.node("value") else { return false }
        return choices.type == "Attribute" && choices.string("attr") == "choices"
    }

    mutating func checkPractices() {
        // Names that hold a completion: assigned from a prompt call or raw completion text.
        var tainted = Set<String>()
        func touchesCompletion(_ e: Node) -> Bool {
            var found = false
            e.walk { n in
                if found { return }
                if n.type == "Call", promptCall(n) != nil { found = true }
                if Self.isRawCompletionText(n) { found = true }
                if n.type == "Attribute", n.string("attr") == "choices" { found = true }
                if n.type == "Name", let id = n.string("id"), tainted.contains(id) { found = true }
            }
            return found
        }
        let prompts = program.calls.filter { promptCall($0) != nil }
        // Without a prompt call or a `.choices` there is no model text to follow.
        if !prompts.isEmpty || program.mentionsChoices {
            for n in program.assignments {
                guard let value = n.node("value"), touchesCompletion(value) else { continue }
                for t in n.nodes("targets") + n.nodes("target") { t.walk { if $0.type == "Name", let id = $0.string("id") { tainted.insert(id) } } }
            }
        }
        if program.mentionsChoices {
            program.module.walk { n in
                if Self.isRawCompletionText(n) {
                    report(.rawTextParsing, n, "reading raw completion text (.choices[0].message.content); declare an OutputField and read the prediction's field instead")
                }
            }
        }
        // `__call__` and `acall` are where a module calls its own forward: that is how calling works.
        var callers = Set<ObjectIdentifier>()
        for method in program.callMethods {
            method.walk { if $0.type == "Call" { callers.insert(ObjectIdentifier($0)) } }
        }
        for call in program.calls {
            guard let f = call.node("func") else { continue }
            switch promptCall(call) {
            case .handWrittenPrompt?:
                report(.handWrittenPrompt, call, "calling a dspy.LM with a hand-written prompt; declare a dspy.Signature and call a dspy.Predict built from it")
            case .directCompletion?:
                report(.directCompletion, call, "calling the provider's completion API directly; configure dspy.LM and use a predictor (dspy.Predict, dspy.ChainOfThought)")
            default: break
            }
            if !tainted.isEmpty || !prompts.isEmpty || program.mentionsChoices,
               let parser = textParser(f),
               (call.nodes("args") + call.nodes("keywords").compactMap { $0.node("value") }).contains(where: touchesCompletion) {
                report(.rawTextParsing, call, "\(parser) applied to model text; declare typed OutputFields (or a Pydantic model) and let DSPy's adapter parse them")
            }
            if f.type == "Attribute", let attr = f.string("attr"), attr == "forward" || attr == "aforward",
               !(f.node("value")?.type == "Call" && f.node("value")?.node("func")?.string("id") == "super"),
               !(callers.contains(ObjectIdentifier(call)) && f.node("value").flatMap(program.dotted) == "self") {
                let fix = attr == "forward" ? "module(…)" : "await module.acall(…)"
                report(.forwardCalled, call, "calling .\(attr)(…) directly skips DSPy's callbacks and tracing; call the module instead: \(fix)")
            }
        }
    }
}
