import MkspyCore
import PythonSyntax

/// mkspy-check: the static DSPy linter. Reads candidates (or `.py` files), never runs them.
public enum CheckTool {
    public static let command = CommandSpec(tool: "mkspy-check", help: """
        usage: mkspy-check [--strict] [-q] [FILE...]
               mkspy-check --ast FILE.py

        Check DSPy programs statically; nothing of them is imported or run.
        Candidate records get a "check" member, {"ok":…,"diagnostics":[…]}, and are
        written back; each FILE ending in .py yields {"kind":"check","file":FILE,…}.
        Other records pass through unchanged. Reads FILEs (or stdin; '-' is stdin).

          --strict       in .py files, every finding but the naming lint is an error
                         (by default only what fails at run time is)
          --ast          print the parsed AST of FILE.py as JSON
          -q             do not print findings on stderr
          -h, --help     show this help
          --version      show the version

        Exit status: 0 no errors, 1 a program had an error-severity finding or a line
        was not a record, 2 usage error or unreadable file. See mkspy-check(1).

        """, options: [.init("-q", "--quiet"), .init("--strict"), .init("--ast")])

    public static func main(_ argv: [String]) -> Never {
        let arguments = Arguments.parse(argv, command)
        let filter = Filter(tool: command.tool)
        filter.quiet = arguments.flag("--quiet")
        if arguments.flag("--ast") { printAST(arguments.operands, filter) }
        let strict = arguments.flag("--strict")
        var tally = Tally()

        // Every operand must be readable before anything is written.
        var files = [String: [UInt8]]()
        for path in arguments.operands where path.hasSuffix(".py") {
            guard let bytes = readFile(path) else {
                filter.diagnose(nil, "cannot read \(path)")
                exit(.usage)
            }
            files[path] = bytes
        }
        for path in arguments.operands where !path.hasSuffix(".py") && path != "-" {
            if case .failure(let error) = ByteSource.open(path) { filter.diagnose(nil, "cannot read \(error.message)"); exit(.usage) }
        }

        for operand in arguments.operands.isEmpty ? ["-"] : arguments.operands {
            if let bytes = files[operand] {
                let diagnostics = checkProgram(bytes, mode: .file(strict: strict))
                var check = CheckResult(diagnostics: diagnostics, source: bytes).json.objectValue!
                check["kind"] = "check"
                check["file"] = .string(operand)
                filter.emit(.object(check))
                tally.add(diagnostics, where: operand, filter)
                continue
            }
            filter.forEachRecord([operand]) { record in
                guard record.kind == "candidate" else { return filter.passThrough(record) }
                var object = record.object
                let diagnostics = checkCandidate(object)
                object["check"] = CheckResult(diagnostics: diagnostics, source: object["source"]?.stringValue.map { Array($0.utf8) }).json
                filter.emit(.object(object))
                let id = object["id"]?.stringValue.map { String($0.prefix(12)) } ?? "?"
                tally.add(diagnostics, where: "\(record.location)#\(id)", filter)
            }
        }
        if tally.errors > 0 { filter.raise(.recordErrors) }
        if !filter.quiet {
            printError("mkspy-check: \(tally.programs) program\(tally.programs == 1 ? "" : "s") checked: \(tally.errors) error\(tally.errors == 1 ? "" : "s"), \(tally.warnings) warning\(tally.warnings == 1 ? "" : "s")")
        }
        filter.finish()
    }

    /// The findings for one candidate record: its source checked, and a generated program's
    /// checked against its spec.
    public static func checkCandidate(_ object: JSONObject) -> [Diagnostic] {
        let candidate: Candidate
        do { candidate = try Candidate(json: object) } catch {
            var found = [Diagnostic(CheckRule.unreadableCandidate.rawValue, .error, error.message)]
            if let source = object["source"]?.stringValue { found += checkProgram(Array(source.utf8), mode: .candidate) }
            return found
        }
        guard let source = candidate.source else {
            return [Diagnostic(CheckRule.unreadableCandidate.rawValue, .error, "candidate has no source; render it with mkspy-gen first")]
        }
        // A user's program is the user's file, which no genome rewrites: it is checked as a
        // .py operand is, not against the form mkspy-gen writes.
        if candidate.spec.program != nil { return checkProgram(Array(source.utf8), mode: .file(strict: false)) }
        return checkProgram(Array(source.utf8), mode: .candidate, candidate: candidate)
    }

    /// `--ast FILE.py`: the parser's JSON for one file; exit 1 on a syntax error.
    static func printAST(_ operands: [String], _ filter: Filter) -> Never {
        guard operands.count == 1 else {
            filter.diagnose(nil, "--ast takes exactly one FILE.py")
            exit(.usage)
        }
        guard let bytes = readFile(operands[0]) else {
            filter.diagnose(nil, "cannot read \(operands[0])")
            exit(.usage)
        }
        var json = astJSON(bytes)
        if json.last != 0x0A { json.append(0x0A) }
        StandardOutput.write(json)
        if case .failure(let e) = parseModule(bytes) {
            filter.diagnose(nil, "\(operands[0]):\(e.lineno):\(e.colOffset): error \(CheckRule.syntax.rawValue) syntax error: \(e.message)")
            exit(.recordErrors)
        }
        exit(.success)
    }

    /// Counts programs and findings, and prints each finding on stderr.
    struct Tally {
        var programs = 0, errors = 0, warnings = 0

        mutating func add(_ diagnostics: [Diagnostic], where place: String, _ filter: Filter) {
            programs += 1
            for d in diagnostics {
                if d.severity == .error { errors += 1 } else { warnings += 1 }
                if !filter.quiet {
                    printError("mkspy-check: \(place):\(d.line ?? 0):\(d.col ?? 0): \(d.severity.rawValue) \(d.rule) \(d.message)")
                }
            }
        }
    }
}
