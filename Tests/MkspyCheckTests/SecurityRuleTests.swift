import MkspyCheck
import MkspyCore
import Testing

/// How the security rules resolve names: scopes, aliases through assignments, severities.
@Suite struct SecurityRuleTests {
    /// The security findings of a program, as "RULE@line".
    static func security(_ source: String, _ mode: CheckMode = .file(strict: true)) -> [String] {
        check(source, mode).filter { $0.rule.hasPrefix("SEC") }.map { "\($0.rule)@\($0.line ?? 0)" }
    }

    @Test func aParameterHidesABuiltinOnlyInItsFunction() {
        #expect(Self.security("def f(eval):\n    return eval(1)\n").isEmpty)
        #expect(Self.security("def f(eval):\n    return eval\n\n\neval('1')\n") == ["SEC001@5"])
        #expect(Self.security("names = [exec for exec in range(3)]\nexec('x = 1')\n") == ["SEC001@2"])
        #expect(Self.security("def compile(program):\n    return program\n\n\ncompile(1)\n").isEmpty)
        // Rebinding a builtin at module level does not hide it: the right side reads the builtin.
        #expect(Self.security("eval = eval\neval('1')\n") == ["SEC001@1", "SEC001@2"])
    }

    @Test func aliasesAreFollowedThroughAssignments() {
        // Out of source order, through a function, a global and an attribute.
        let source = """
            import os

            def go():
                third("id")

            def setup():
                global first
                first = os.system

            second = first
            third = second
            """
        #expect(Self.security(source).contains("SEC003@4"), "\(Self.security(source))")
        let attribute = "import subprocess\n\nclass T:\n    def __init__(self):\n        self.run = subprocess.run\n\n    def go(self):\n        return self.run(['id'])\n"
        #expect(Self.security(attribute).contains("SEC003@8"))
        #expect(Self.security("x = 1\nx = print\nx('hi')\n").isEmpty)
        // The message says what the alias stands for.
        let found = check("e = eval\ne('1')\n")
        #expect(found.contains { $0.line == 2 && $0.message.hasPrefix("e(), which is eval,") }, "\(found.map(\.message))")
    }

    @Test func importsByLiteralNameAreResolved() {
        #expect(Self.security("__import__('json').loads('{}')\n").isEmpty)
        #expect(Self.security("__import__('subprocess').run(['id'])\n") == ["SEC003@1"])
        #expect(Self.security("from os import *\nsystem('id')\n") == ["SEC003@2"])
        #expect(Self.security("import os\nos.__getattribute__('system')('id')\n") == ["SEC003@2"])
        #expect(Self.security("import posix\nposix.system('id')\n") == ["SEC003@2"])
    }

    @Test func writesInTheWorkingDirectoryAreWarnings() {
        for mode in [CheckMode.candidate, .file(strict: true)] {
            let local = check("open('results.json', 'w').write('x')\n", mode).filter { $0.rule == "SEC004" }
            #expect(local.count == 1 && local[0].severity == .warning)
            for path in ["/tmp/x", "../x", "~/x", "~/.ssh/config"] {
                let outside = check("open('\(path)', 'w').write('x')\n", mode).filter { $0.rule == "SEC004" }
                #expect(outside.count == 1 && outside[0].severity == .error, "\(path)")
            }
            // Deleting stays an error wherever it is.
            let removed = check("import os\nos.remove('results.json')\n", mode).filter { $0.rule == "SEC004" }
            #expect(removed.count == 1 && removed[0].severity == .error)
        }
        let computed = check("def save(path):\n    open(path, 'w').write('x')\n").filter { $0.rule == "SEC004" }
        #expect(computed.first?.severity == .error)
    }

    @Test func aKeyGoesOnlyToTheLM() {
        let direct = "import os\nimport dspy\nlm = dspy.LM('openai/gpt-4o-mini', api_key=os.getenv('OPENAI_API_KEY'))\n"
        #expect(Self.security(direct).isEmpty)
        let named = "import os\nimport dspy\nkey = os.environ['OPENAI_API_KEY']\nlm = dspy.LM('openai/gpt-4o-mini', api_key=key)\n"
        #expect(Self.security(named).isEmpty)
        #expect(Self.security(named + "print(key)\n") == ["SEC011@3"])
        let leaked = "import os\nimport dspy\nkey = os.getenv('OPENAI_API_KEY')\nout = dspy.Prediction(answer=key)\n"
        #expect(Self.security(leaked) == ["SEC011@3"])
        #expect(Self.security("import os\nmodel = os.getenv('MODEL_NAME')\nlimit = os.environ['MAX_TOKENS']\n").isEmpty)
        // Testing that a key is set reads no secret; printing it does.
        #expect(Self.security("import os\nif not os.getenv('OPENAI_API_KEY'):\n    raise SystemExit(1)\n").isEmpty)
        #expect(Self.security("import os\nkey = os.getenv('OPENAI_API_KEY')\nif key:\n    print(key)\n") == ["SEC011@2"])
    }

    @Test func securitySeveritiesFollowTheMode() {
        let source = "import dspy\nimport requests\nreply = requests.get('http://198.51.100.7')\n"
        #expect(check(source, .file(strict: false)).filter { $0.rule == "SEC010" }.map(\.severity) == [.warning])
        #expect(check(source, .file(strict: true)).filter { $0.rule == "SEC010" }.map(\.severity) == [.error])
        #expect(check(source, .candidate).filter { $0.rule == "SEC010" }.map(\.severity) == [.error])
    }
}
