import MkspyCore
import PythonSyntax

/// Checks one Python program statically: parses it and applies every rule. Nothing of the
/// program is imported or run.
///
/// - Parameters:
///   - source: the program's UTF-8 bytes.
///   - mode: a candidate's source (every rule but naming is an error) or a `.py` operand.
///   - candidate: the candidate whose spec and genome the program must conform to.
/// - Returns: the findings, in source order.
public func checkProgram(_ source: [UInt8], mode: CheckMode, candidate: Candidate? = nil) -> [Diagnostic] {
    let module: Node
    switch parseModule(source) {
    case .success(let m): module = m
    case .failure(let e):
        return [Diagnostic(CheckRule.syntax.rawValue, .error, "syntax error: \(e.message)",
                           line: e.lineno, col: e.colOffset, endLine: e.lineno, endCol: e.colOffset)]
    }
    var checker = Checker(program: Program(module), mode: mode, candidate: candidate)
    checker.run()
    return checker.findings
        .sorted { ($0.line, $0.col, $0.rule.rawValue) < ($1.line, $1.col, $1.rule.rawValue) }
        .map { $0.diagnostic(mode) }
}

/// Runs the rules over one parsed program and collects findings.
struct Checker {
    let program: Program
    let mode: CheckMode
    let candidate: Candidate?
    var findings: [Finding] = []
    /// Field names the candidate's spec declares: mkspy-spec already lints their names.
    var specFieldNames: Set<String> = []

    init(program: Program, mode: CheckMode, candidate: Candidate?) {
        self.program = program; self.mode = mode; self.candidate = candidate
        if let spec = candidate?.spec {
            for f in spec.inputs + spec.outputs { specFieldNames.insert(f.name) }
            for op in spec.operations { for f in op.inputs + op.outputs { specFieldNames.insert(f.name) } }
        }
    }

    var isCandidate: Bool { if case .candidate = mode { true } else { false } }

    mutating func report(_ rule: CheckRule, _ node: Node, _ message: String) {
        // The module of an empty file has no position: its findings are on line 1.
        let line = max(1, Int(node.lineno))
        findings.append(Finding(rule: rule, message: message, line: line, col: Int(node.colOffset),
                                endLine: max(line, Int(node.endLineno)), endCol: Int(node.endColOffset)))
    }

    mutating func run() {
        checkStructure()
        checkSignatureClasses()
        checkPredictors()
        checkPractices()
        checkSecurity()
        if let candidate { checkConformance(candidate) }
    }

    // MARK: DSPy structure

    mutating func checkStructure() {
        let first = program.module.nodes("body").first ?? program.module
        if !program.importsDSPy {
            report(.noDSPyImport, first, "the program does not import dspy; write 'import dspy'")
        }
        let modules = program.classOrder.filter(program.isModule)
        if modules.isEmpty {
            // A script that uses predictors directly is fine in a .py operand.
            if isCandidate { report(.noModule, first, "no class derives from dspy.Module; write the program as 'class Program(dspy.Module)' with a forward method") }
            return
        }
        for cls in modules {
            guard let name = cls.string("name") else { continue }
            if !definesForward(cls, depth: 0) {
                report(.noForward, cls, "module '\(name)' defines neither forward nor aforward; define 'def forward(self, …)' returning a dspy.Prediction")
            }
            for method in ["forward", "aforward"] {
                guard let def = program.method(cls, method) else { continue }
                checkReturns(def, in: name)
            }
        }
    }

    /// Whether a module class defines forward or aforward, itself or through a base that
    /// mkspy-check cannot see into or that is a DSPy predictor.
    func definesForward(_ cls: Node, depth: Int) -> Bool {
        if program.method(cls, "forward") != nil || program.method(cls, "aforward") != nil { return true }
        if depth > 32 { return true }
        for base in cls.nodes("bases") {
            let kind = program.kind(ofBase: base)
            if kind == .predictor || kind == .unknown { return true }
            if kind == .module, base.type == "Name", let id = base.string("id"), program.aliases[id] == nil,
               let local = program.classes[id], definesForward(local, depth: depth + 1) { return true }
        }
        return false
    }

    /// Reports a `forward` that may end without returning a value.
    mutating func checkReturns(_ def: Node, in className: String) {
        var generator = false
        var bareReturns = [Node]()
        def.forEachStatement { s in
            if s.type == "Return", s.node("value") == nil { bareReturns.append(s) }
        }
        def.walk { n in if n.type == "Yield" || n.type == "YieldFrom" { generator = true } }
        if generator { return }
        let name = def.string("name") ?? "forward"
        for r in bareReturns {
            report(.forwardFallsThrough, r, "\(className).\(name) returns None here; return a dspy.Prediction with the outputs")
        }
        if !Flow.exits(def.nodes("body")) {
            report(.forwardFallsThrough, def, "\(className).\(name) can reach its end without returning a value; return a dspy.Prediction on every path")
        }
    }

    mutating func checkSignatureClasses() {
        for cls in program.classOrder {
            let name = cls.string("name") ?? "?"
            let fields = program.fields(of: cls)
            let kind = program.kind(of: cls)
            if kind != .signature {
                if !fields.isEmpty, kind != .unknown {
                    report(.fieldsOutsideSignature, cls, "class '\(name)' declares InputField/OutputField but does not derive from dspy.Signature; write 'class \(name)(dspy.Signature)'")
                }
                continue
            }
            for statement in cls.nodes("body") where statement.type == "AnnAssign" {
                guard let t = statement.node("target"), t.type == "Name", let id = t.string("id"), !id.hasPrefix("_"),
                      program.fieldKind(statement.node("value")) == nil,
                      statement.node("annotation").flatMap(program.qualified)?.hasSuffix("ClassVar") != true,
                      statement.node("annotation")?.node("value").flatMap(program.qualified)?.hasSuffix("ClassVar") != true else { continue }
                report(.undeclaredField, t, "signature '\(name)': attribute '\(id)' must be declared with dspy.InputField() or dspy.OutputField(); DSPy raises a TypeError otherwise")
            }
            let direct = cls.nodes("bases").contains { program.dspyName($0) == "Signature" }
            if direct, !fields.contains(where: { !$0.isInput }) {
                report(.signatureWithoutFields, cls, "signature '\(name)' declares no OutputField; add 'answer: str = dspy.OutputField()' for what the predictor produces")
            }
            lintNames(fields)
        }
    }

    /// Naming lint of a signature's fields (warnings).
    mutating func lintNames(_ fields: [SignatureField]) {
        let inputs = fields.filter(\.isInput).map(\.name)
        for f in fields where !specFieldNames.contains(f.name) {
            for (rule, message) in NamingLint.check(f.name, inputs: f.isInput ? [] : inputs) {
                report(CheckRule.naming(rule), f.node, message)
            }
        }
    }

    // MARK: predictors and string signatures

    static let signatureTaking: Set<String> = [
        "Predict", "ChainOfThought", "ReAct", "ProgramOfThought", "CodeAct", "MultiChainComparison",
        "ChainOfThoughtWithHint", "Signature", "make_signature", "ensure_signature", "RLM",
    ]

    mutating func checkPredictors() {
        for call in program.calls {
            guard let f = call.node("func"), let name = program.dspyName(f), Self.signatureTaking.contains(name),
                  let arg = call.argument(0, "signature") else { continue }
            if let text = arg.stringConstant {
                switch StringSignature.parse(text) {
                case .success(let fields):
                    lintNames(fields.map { SignatureField(name: $0.name, isInput: $0.isInput, annotationText: $0.type, node: arg) })
                case .failure(let message):
                    report(.malformedSignature, arg, "dspy.\(name)(\"\(text)\"): \(message.message)")
                }
            } else if arg.type == "Name", let id = arg.string("id"), !program.bound.contains(id), !program.starImport,
                      name != "Signature", name != "make_signature", name != "ensure_signature" {
                report(.unknownSignature, arg, "dspy.\(name)(\(id)): no class, import or assignment named '\(id)' in this module; define 'class \(id)(dspy.Signature)' or pass a string signature")
            }
        }
    }
}

/// Control-flow analysis of a function body: does every path return a value or raise?
enum Flow {
    /// Whether every path through `block` ends in `return <value>`, a bare `return` (reported
    /// separately) or `raise`. Loops may run zero times; `while True` without `break` never ends.
    static func exits(_ block: [Node]) -> Bool {
        block.contains(where: exits)
    }

    static func exits(_ s: Node) -> Bool {
        switch s.type {
        case "Return", "Raise": return true
        case "If": return exits(s.nodes("body")) && exits(s.nodes("orelse"))
        case "With", "AsyncWith": return exits(s.nodes("body"))
        case "Try", "TryStar":
            if exits(s.nodes("finalbody")) { return true }
            let normal = exits(s.nodes("body")) || exits(s.nodes("orelse"))
            return normal && s.nodes("handlers").allSatisfy { exits($0.nodes("body")) }
        case "Match":
            let cases = s.nodes("cases")
            let total = cases.contains { c in c.node("guard") == nil && irrefutable(c.node("pattern")) }
            return total && cases.allSatisfy { exits($0.nodes("body")) }
        case "While":
            if let test = s.node("test"), isTruthyConstant(test) { return !breaks(s.nodes("body")) }
            return !breaks(s.nodes("body")) && exits(s.nodes("orelse"))
        case "For", "AsyncFor":
            return !breaks(s.nodes("body")) && exits(s.nodes("orelse"))
        default: return false
        }
    }

    static func irrefutable(_ p: Node?) -> Bool {
        guard let p else { return false }
        switch p.type {
        case "MatchAs": return p.node("pattern") == nil || irrefutable(p.node("pattern"))
        case "MatchOr": return p.nodes("patterns").contains { irrefutable($0) }
        default: return false
        }
    }

    static func isTruthyConstant(_ n: Node) -> Bool {
        guard n.type == "Constant", case .constant(let c)? = n["value"] else { return false }
        switch c {
        case .bool(let b): return b
        case .int(let digits): return digits.contains { $0 != "0" && $0 != "_" && $0 != "x" && $0 != "o" && $0 != "b" }
        case .str(let s): return !s.isEmpty
        default: return false
        }
    }

    /// Whether a `break` in `block` leaves the loop that holds it (not a nested loop).
    static func breaks(_ block: [Node]) -> Bool {
        for s in block {
            switch s.type {
            case "Break": return true
            case "For", "AsyncFor", "While":
                if breaks(s.nodes("orelse")) { return true }
            case "FunctionDef", "AsyncFunctionDef", "ClassDef": continue
            case "If", "With", "AsyncWith", "Try", "TryStar":
                if breaks(s.nodes("body")) || breaks(s.nodes("orelse")) || breaks(s.nodes("finalbody")) { return true }
                if s.nodes("handlers").contains(where: { breaks($0.nodes("body")) }) { return true }
            case "Match":
                if s.nodes("cases").contains(where: { breaks($0.nodes("body")) }) { return true }
            default: continue
            }
        }
        return false
    }
}
