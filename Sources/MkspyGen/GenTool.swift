import MkspyCore

/// mkspy-gen: spec records become seed candidates; candidates without source are rendered.
public enum GenTool {
    public static let command = CommandSpec(tool: "mkspy-gen", help: """
        usage: mkspy-gen [--strategies LIST] [--async] [--stream] [-q] [FILE...]

        Render candidates into DSPy programs. A spec record becomes seed candidates, one
        per strategy variant; a candidate without "source" gets one. A spec read from a
        user's program (mkspy-spec PROGRAM.py) gives one seed whose source is that file
        and whose "state" is what program.save() writes for its genome; a program's
        candidate without "state" gets both. Candidates that already have them, and
        records of other kinds, pass through unchanged.
        Reads FILEs (or stdin; '-' is stdin) and writes JSON Lines to stdout.

          --strategies LIST  seed one candidate per strategy in LIST (comma-separated:
                             predict, cot, react); default: the spec's own strategies
          --async            also write async def aforward(...) using acall
          --stream           also write a stream() helper built on dspy.streamify
          -q                 do not print diagnostics on stderr
          -h, --help         show this help
          --version          show the version

        Exit status: 0 all records rendered or passed, 1 a spec was not ok or a record
        could not be rendered (it is written through unchanged), 2 usage error or
        unreadable file. See mkspy-gen(1).

        """, options: [.init("--strategies", value: true), .init("--async"), .init("--stream"), .init("-q", "--quiet")])

    public static func main(_ argv: [String]) -> Never {
        let arguments = Arguments.parse(argv, command)
        var variants = [Strategy]()
        if let text = arguments.value("--strategies") {
            switch Seeds.parseVariants(text) {
            case .success(let v): variants = v
            case .failure(let error):
                printError("mkspy-gen: \(error.message)")
                exit(.usage)
            }
        }
        let options = RenderOptions(async: arguments.flag("--async"), stream: arguments.flag("--stream"))
        let filter = Filter(tool: command.tool)
        filter.quiet = arguments.flag("--quiet")
        filter.forEachRecord(arguments.operands) { record in
            switch record.kind {
            case "spec": seed(record, variants: variants, options: options, filter)
            case "candidate": render(record, options: options, filter)
            default: filter.passThrough(record)
            }
        }
        filter.finish()
    }

    /// Writes the rendered seeds of a spec record, or passes a spec that is not ok.
    static func seed(_ record: Record, variants: [Strategy], options: RenderOptions, _ filter: Filter) {
        let (spec, diagnostics) = validateSpec(record.object)
        var problem: String?
        if record.object["ok"] != .bool(true) {
            problem = "spec '\(spec.name)' is not ok (see its diagnostics); not rendered"
        } else if let error = diagnostics.first(where: { $0.severity == .error }) {
            problem = "spec '\(spec.name)' is invalid: \(error.rule) \(error.path ?? ""): \(error.message)"
        }
        var rendered = [Candidate]()
        if problem == nil {
            do throws(RenderError) {
                if spec.program != nil {
                    // A program's structure is the user's: one seed, whatever the variants.
                    var candidate = Candidate(spec: spec, genome: Genome(seed: spec))
                    try ProgramState.render(&candidate)
                    rendered.append(candidate)
                }
                for var candidate in spec.program == nil ? Seeds.candidates(spec, variants: variants) : [] {
                    candidate.source = try Renderer.render(candidate, options: options)
                    rendered.append(candidate)
                }
            } catch {
                problem = "spec '\(spec.name)': \(error.message)"
            }
        }
        if let problem {
            fail(record, problem, filter)
            return
        }
        for candidate in rendered { filter.emit(candidate.json) }
    }

    /// Renders a candidate that has no source (a program's: no source or no state); passes one
    /// that has. mkspy-evolve writes survivors without their source, so they come here again.
    static func render(_ record: Record, options: RenderOptions, _ filter: Filter) {
        let isProgram = record.object["spec"]?["program"] != nil
        if record.object["source"] != nil, !isProgram || record.object["state"] != nil { return filter.passThrough(record) }
        do {
            var candidate = try Candidate(json: record.object)
            if isProgram { try ProgramState.render(&candidate) } else { candidate.source = try Renderer.render(candidate, options: options) }
            filter.emit(candidate.json)
        } catch let error as CandidateError {
            fail(record, error.message, filter)
        } catch let error as RenderError {
            fail(record, error.message, filter)
        } catch {
            fail(record, "\(error)", filter)
        }
    }

    /// A record that cannot be rendered flows on unchanged; the run ends with status 1.
    static func fail(_ record: Record, _ message: String, _ filter: Filter) {
        if !filter.quiet { filter.diagnose(record.location, message) }
        filter.passThrough(record)
        filter.raise(.recordErrors)
    }
}
