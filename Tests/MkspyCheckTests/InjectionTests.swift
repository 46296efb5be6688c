import MkspyCheck
import MkspyCore
import PythonSyntax
import Testing

/// Every violation is caught: for each rule, violations are injected into clean corpus
/// programs (and, for conformance, into generated candidates); each must be reported with
/// the right rule id on the line it is on.
@Suite struct InjectionTests {
    /// Where an injected snippet goes.
    enum Place { case end, firstFunction, forward }

    /// A snippet that violates `rule` on its line `offset` (0-based within the snippet).
    struct Injection: CustomTestStringConvertible, Sendable {
        let rule: CheckRule
        let snippet: String
        let offset: Int
        var places: [Place] = [.end]
        var testDescription: String { "\(rule.rawValue): \(snippet.prefix(50))" }
    }

    static let injections: [Injection] = [
        Injection(rule: .syntax, snippet: "def broken(:\n    pass", offset: 0),
        Injection(rule: .syntax, snippet: "value = (1 +", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .fieldsOutsideSignature, snippet: "class Loose:\n    \"\"\"Not a signature.\"\"\"\n    question: str = dspy.InputField()\n    answer: str = dspy.OutputField()", offset: 0),
        Injection(rule: .signatureWithoutFields, snippet: "class NoOutputs(dspy.Signature):\n    \"\"\"Only inputs.\"\"\"\n    question: str = dspy.InputField()", offset: 0),
        Injection(rule: .undeclaredField, snippet: "class Bare(dspy.Signature):\n    \"\"\"A bare annotation.\"\"\"\n    question: str = dspy.InputField()\n    notes: str\n    answer: str = dspy.OutputField()", offset: 3),
        Injection(rule: .malformedSignature, snippet: "broken = dspy.Predict(\"question answer\")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .malformedSignature, snippet: "broken = dspy.ChainOfThought(\"question -> \")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .malformedSignature, snippet: "broken = dspy.Predict(\"question -> answer -> score\")", offset: 0),
        Injection(rule: .malformedSignature, snippet: "broken = dspy.Signature(\"my question: str -> answer\")", offset: 0),
        Injection(rule: .unknownSignature, snippet: "solver = dspy.ChainOfThought(UndefinedSignature)", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .unknownSignature, snippet: "agent = dspy.ReAct(signature=NoSuchSignature, tools=[])", offset: 0),
        Injection(rule: .forwardFallsThrough, snippet: "if not self:\n    return", offset: 1, places: [.forward]),
        Injection(rule: .forwardFallsThrough, snippet: "class Broken(dspy.Module):\n    def forward(self, question):\n        if question:\n            return dspy.Prediction(answer=question)", offset: 1),
        Injection(rule: .forwardFallsThrough, snippet: "class Broken(dspy.Module):\n    def forward(self, question):\n        try:\n            return dspy.Prediction(answer=question)\n        except ValueError:\n            print('failed')", offset: 1),
        Injection(rule: .forwardFallsThrough, snippet: "class Broken(dspy.Module):\n    def forward(self, items):\n        for item in items:\n            return dspy.Prediction(answer=item)", offset: 1),
        Injection(rule: .forwardFallsThrough, snippet: "class Broken(dspy.Module):\n    def forward(self, kind):\n        match kind:\n            case 'a':\n                return dspy.Prediction(answer='a')\n            case 'b':\n                return dspy.Prediction(answer='b')", offset: 1),
        Injection(rule: .forwardFallsThrough, snippet: "class Broken(dspy.Module):\n    def forward(self, question):\n        while True:\n            if question:\n                break\n            return dspy.Prediction(answer=question)", offset: 1),
        Injection(rule: .forwardFallsThrough, snippet: "class Broken(dspy.Module):\n    async def aforward(self, question):\n        with open('notes.txt') as notes:\n            print(notes.read())", offset: 1),
        Injection(rule: .handWrittenPrompt, snippet: "lm = dspy.LM(\"openai/gpt-4o-mini\")\nreply = lm(\"Write a haiku about tea.\")", offset: 1),
        Injection(rule: .handWrittenPrompt, snippet: "reply = dspy.LM(\"openai/gpt-4o-mini\")(messages=[{\"role\": \"user\", \"content\": \"hi\"}])", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .handWrittenPrompt, snippet: "reply = self.lm(f\"Summarize: {self}\")", offset: 0, places: [.firstFunction]),
        Injection(rule: .directCompletion, snippet: "import openai\nclient = openai.OpenAI()\ncompletion = client.chat.completions.create(model=\"gpt-4o\", messages=[])", offset: 2),
        Injection(rule: .directCompletion, snippet: "import litellm\nresponse = litellm.completion(model=\"gpt-4o\", messages=[])", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .rawTextParsing, snippet: "text = completion.choices[0].message.content", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .rawTextParsing, snippet: "import json\nlm = dspy.LM(\"openai/gpt-4o-mini\")\nraw = lm(\"Reply in JSON.\")[0]\nparsed = json.loads(raw)", offset: 3),
        Injection(rule: .rawTextParsing, snippet: "import re\nimport litellm\nresponse = litellm.completion(model=\"gpt-4o\", messages=[])\nnumbers = re.findall(r\"\\d+\", response.choices[0].text)", offset: 3),
        Injection(rule: .rawTextParsing, snippet: "import re\nlm = dspy.LM(\"openai/gpt-4o-mini\")\nNUMBER = re.compile(r\"\\d+\")\nfound = NUMBER.search(lm(\"Pick a number.\")[0])", offset: 3),
        Injection(rule: .forwardCalled, snippet: "output = dspy.Predict(\"question -> answer\").forward(question=\"hi\")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .dynamicCode, snippet: "result = eval(\"1 + 1\")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .dynamicCode, snippet: "exec(\"x = 1\")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .dynamicCode, snippet: "code = compile(\"1\", \"<s>\", \"eval\")", offset: 0),
        Injection(rule: .dynamicImport, snippet: "import importlib\nplugin = importlib.import_module(plugin_name)", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .dynamicImport, snippet: "module = __import__(\"os\" + suffix)", offset: 0),
        Injection(rule: .process, snippet: "import os\nos.system(\"ls\")", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .process, snippet: "import subprocess\nsubprocess.run([\"ls\", \"-l\"], check=True)", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .process, snippet: "from subprocess import Popen as P\nP([\"ls\"])", offset: 1),
        Injection(rule: .network, snippet: "import socket\nconnection = socket.create_connection((\"example.com\", 80))", offset: 1),
        Injection(rule: .process, snippet: "import pty\npty.spawn(\"/bin/sh\")", offset: 1),
        Injection(rule: .fileWrite, snippet: "open(\"out.txt\", \"w\").write(\"x\")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .fileWrite, snippet: "with open(\"log.txt\", mode=\"a\") as log:\n    log.write(\"x\")", offset: 0),
        Injection(rule: .fileWrite, snippet: "from pathlib import Path\nPath(\"out.txt\").write_text(\"x\")", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .fileWrite, snippet: "import shutil\nshutil.copy(\"a.txt\", \"b.txt\")", offset: 1),
        Injection(rule: .fileWrite, snippet: "import os\nos.remove(\"a.txt\")", offset: 1),
        Injection(rule: .unsafeLoad, snippet: "import pickle\nstate = pickle.loads(payload)", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .unsafeLoad, snippet: "import pickle\nwith open(\"state.pkl\", \"rb\") as f:\n    state = pickle.load(f)", offset: 2),
        Injection(rule: .dynamicCode, snippet: "e = eval\nresult = e(\"1 + 1\")", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .dynamicCode, snippet: "@exec\ndef payload():\n    pass", offset: 0),
        Injection(rule: .process, snippet: "import os\nrun = os.system", offset: 1),
        Injection(rule: .process, snippet: "__import__(\"os\").system(\"id\")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .fileWrite, snippet: "import tarfile\ntarfile.open(\"a.tgz\").extractall(\"/\")", offset: 1),
        Injection(rule: .fileWrite, snippet: "import sqlite3\nconnection = sqlite3.connect(\"cache.db\")", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .unsafeLoad, snippet: "import yaml\nconfig = yaml.load(\"a: 1\")", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .builtinsNamespace, snippet: "fn = getattr(__builtins__, \"eval\")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .builtinsNamespace, snippet: "import builtins\nnamespace = vars(builtins)", offset: 1),
        Injection(rule: .moduleLookup, snippet: "import sys\nshell = sys.modules[\"os\"]", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .moduleLookup, snippet: "import os\nrunner = getattr(os, \"sys\" + \"tem\")", offset: 1),
        Injection(rule: .dunderTraversal, snippet: "classes = ().__class__.__base__.__subclasses__()", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .nativeCode, snippet: "import ctypes", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .network, snippet: "import requests\nreply = requests.get(\"http://198.51.100.7\")", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .secret, snippet: "import os\ntoken = os.environ[\"GITHUB_TOKEN\"]", offset: 1, places: [.end, .firstFunction]),
        Injection(rule: .secret, snippet: "secret = open(\"/home/user/.ssh/id_rsa\").read()", offset: 0),
        Injection(rule: .debugger, snippet: "breakpoint()", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .namingCase, snippet: "class Cased(dspy.Signature):\n    \"\"\"Doc.\"\"\"\n    questionText: str = dspy.InputField()\n    answer: str = dspy.OutputField()", offset: 2),
        Injection(rule: .namingAbbreviation, snippet: "class Abbreviated(dspy.Signature):\n    \"\"\"Doc.\"\"\"\n    txt: str = dspy.InputField()\n    answer: str = dspy.OutputField()", offset: 2),
        Injection(rule: .namingAbbreviation, snippet: "short = dspy.Predict(\"question -> ans\")", offset: 0, places: [.end, .firstFunction]),
        Injection(rule: .namingUnderscore, snippet: "class Filler(dspy.Signature):\n    \"\"\"Doc.\"\"\"\n    the_question: str = dspy.InputField()\n    answer: str = dspy.OutputField()", offset: 2),
        Injection(rule: .namingEcho, snippet: "class Echo(dspy.Signature):\n    \"\"\"Doc.\"\"\"\n    summary: str = dspy.InputField()\n    summary_new: str = dspy.OutputField()", offset: 3),
        Injection(rule: .namingReserved, snippet: "class Reserved(dspy.Signature):\n    \"\"\"Doc.\"\"\"\n    question: str = dspy.InputField()\n    items: list[str] = dspy.OutputField()", offset: 3),
    ]

    /// Inserts `snippet` into `program`; returns the new text and the line where the snippet starts.
    static func inject(_ snippet: String, into program: String, at place: Place) -> (String, Int)? {
        var lines = program.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        switch place {
        case .end:
            return ((lines + snippet.split(separator: "\n").map(String.init)).joined(separator: "\n") + "\n", lines.count + 1)
        case .firstFunction, .forward:
            guard case .success(let module) = parseModule(Array(program.utf8)) else { return nil }
            var target: Node?
            module.walk { n in
                guard target == nil, n.type == "FunctionDef" || n.type == "AsyncFunctionDef" else { return }
                if place == .firstFunction || n["name"]?.string == "forward" { target = n }
            }
            guard let first = target?["body"]?.nodes.first else { return nil }
            let line = Int(first.lineno), indent = String(repeating: " ", count: Int(first.colOffset))
            let inserted = snippet.split(separator: "\n").map { indent + $0 }
            lines.insert(contentsOf: inserted, at: line - 1)
            return (lines.joined(separator: "\n") + "\n", line)
        }
    }

    @Test func everyRuleHasInjections() {
        let covered = Set(Self.injections.map(\.rule)).union(Self.specialRules).union(ConformanceInjection.rules)
        for rule in CheckRule.allCases {
            #expect(covered.contains(rule), "no injection for \(rule.rawValue)")
        }
    }

    @Test(arguments: injections)
    func injectedViolationIsCaught(_ injection: Injection) throws {
        var cases = 0
        for program in corpus {
            let text = String(decoding: program.bytes, as: UTF8.self)
            for place in injection.places {
                guard let (source, start) = Self.inject(injection.snippet, into: text, at: place) else { continue }
                let line = start + injection.offset
                let found = check(source)
                cases += 1
                #expect(found.contains { $0.rule == injection.rule.rawValue && $0.line == line },
                        "\(program.name) (\(place)): expected \(injection.rule.rawValue) on line \(line), got \(found.map { "\($0.rule)@\($0.line ?? 0)" })")
            }
        }
        #expect(cases >= 3, "the injection went into too few programs")
    }

    // MARK: rules injected by rewriting rather than inserting

    static let specialRules: Set<CheckRule> = [.noDSPyImport, .noModule, .noForward, .unreadableCandidate]

    static var modulePrograms: [(name: String, text: String)] {
        corpus.map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }.filter { $0.text.contains("(dspy.Module):") }
    }

    @Test func removingTheDSPyImportIsCaught() {
        var cases = 0
        for program in corpus {
            let text = String(decoding: program.bytes, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                line.hasPrefix("import dspy") || line.hasPrefix("from dspy") ? "import json" : String(line)
            }
            let found = check(lines.joined(separator: "\n"))
            cases += 1
            #expect(found.contains { $0.rule == "DSPY001" && $0.line == 1 }, "\(program.name): \(found.map(\.rule))")
        }
        #expect(cases >= 40)
    }

    @Test func aCandidateWithoutAModuleIsCaught() {
        for program in Self.modulePrograms {
            let source = program.text.replacing("(dspy.Module):", with: "(object):")
            let found = check(source, .candidate)
            #expect(found.contains { $0.rule == "DSPY002" && $0.line == 1 && $0.severity == .error }, "\(program.name): \(found.map(\.rule))")
            // A .py script without a module is fine.
            #expect(!check(source, .file(strict: true)).contains { $0.rule == "DSPY002" })
        }
        #expect(Self.modulePrograms.count >= 20)
    }

    @Test func aModuleWithoutForwardIsCaught() throws {
        for program in Self.modulePrograms {
            let source = program.text.replacing("def forward(", with: "def run(").replacing("def aforward(", with: "def arun(")
            let line = try #require(lineOf("(dspy.Module):", in: source))
            let found = check(source)
            #expect(found.contains { $0.rule == "DSPY003" && $0.line == line }, "\(program.name): \(found.map { "\($0.rule)@\($0.line ?? 0)" })")
        }
    }

    @Test func anUnreadableCandidateIsCaught() {
        let noSpec: JSONObject = ["kind": "candidate", "source": "import dspy\n"]
        #expect(CheckTool.checkCandidate(noSpec).contains { $0.rule == "CONF001" && $0.severity == .error })
    }
}
