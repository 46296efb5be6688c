import MkspyCore
import MkspyRuntime

/// mkspy-evolve: reads the archive of scored candidates and writes the next step of the search.
public enum EvolveTool {
    public static let command = CommandSpec(tool: "mkspy-evolve", help: """
        usage: mkspy-evolve --train FILE --val FILE [--children N] [--seed N] [--minibatch N]
                            [--reflection-minibatch N]
                            [--reflection-lm MODEL] [--reflection-lm-base URL] [--reflection-lm-key KEY]
                            [--reflection-lm-arg K=V]...
                            [--max-calls N] [--max-cost USD] [--patience N] [--target SCORE]
                            [--max-merges N] [--climb N] [--probes N] [-j N] [--cache DIR]
                            [--best | --finalists N | --explain | --frontier] [-v] [-q] [FILE...]

        Read the archive (every candidate record of the FILEs, or stdin; the same id may appear
        many times and is merged, scores united) and write the next step of a reflective
        evolutionary search: candidates that need more evaluation, parents that must run a
        minibatch, and new children, each with `want`. Writes nothing (and exits 0) when the
        budget is spent or the search is over, so a shell loop ends on empty output.

          --train FILE           train examples: minibatches, reflection and demos
          --val FILE             val examples: the Pareto frontier and staged evaluation
          --children N           children per step (default 2)
          --seed N               seed of every random choice (default 0)
          --minibatch N          train examples a child must beat its parent on (default 3)
          --reflection-minibatch N
                                 train examples a reflection reads (default 16, at least
                                 --minibatch)
          --reflection-lm MODEL  dspy.LM model of the reflection LM (default $MKSPY_REFLECTION_LM,
                                 else $MKSPY_LM); --reflection-lm-base/-key default to
                                 $MKSPY_REFLECTION_LM_BASE/_KEY, else $MKSPY_LM_BASE/_KEY
          --reflection-lm-arg K=V
                                 extra dspy.LM argument of the reflection LM, e.g.
                                 max_tokens=1024 (default $MKSPY_REFLECTION_LM_ARGS, else
                                 $MKSPY_LM_ARGS: "K=V K=V")
          --max-calls N          stop after N metric calls (scored candidate-example pairs);
                                 a val set over N/4 is cut to N/4 of its examples (read back,
                                 --best, --explain and --frontier take N from the archive)
          --max-cost USD         stop once the scores' LM cost reaches USD
          --patience N           stop after N generations without a better val mean
          --target SCORE         stop once the best val mean reaches SCORE
          --max-merges N         merge children over the whole run (default 5)
          --climb N              children that beat their parent may chain up to N links on
                                 train before val is paid for the last winner (default 8; 1: off)
          --probes N             minibatches a climbing winner runs, while none shows a
                                 failure, before it pays val (default 2; 1: just its first)
          -j, --jobs N           examples mkspy-score runs at once (its -j; default 4): val
                                 stages come in whole rounds of N, and the seeds' val fills
                                 the slots a step's examples leave idle
          --cache DIR            DSPy's LM cache for reflection calls (default
                                 ~/.cache/mkspy/lm-cache, as mkspy-score's)
          --best                 write only the best fully evaluated candidate (else the one
                                 the val race took farthest), with its val mean and the
                                 number of val examples in evolve.val
          --finalists N          write the N best fully evaluated candidates, best first, each
                                 as --best writes it: score them on a held-out set with
                                 mkspy-gen | mkspy-check | mkspy-score --data FILE to choose
          --explain              write what this step decides of every candidate, as
                                 {"kind":"explain"} records (status, why, val mean, frontier, …)
          --frontier             write the fully evaluated candidates as explain records, best
                                 first (rank 1), marked when on the frontier
          -v, --verbose          tell what each reflection read and the instruction it proposed
          -q, --quiet            no step line or notes on stderr (why the search stops, skipped
                                 lines and reflections that gave nothing are still said)
          -h, --help             show this help
          --version              show the version

        Exit status: 0 done (also when stopping, and when lines of the archive were skipped), 2
        usage error or unreadable file, 3 nothing to work on. See mkspy-evolve(1).

        """, options: [
            .init("--train", value: true), .init("--val", value: true), .init("--children", value: true),
            .init("--seed", value: true), .init("--minibatch", value: true),
            .init("--reflection-minibatch", value: true), .init("--reflection-lm", value: true),
            .init("--reflection-lm-base", value: true), .init("--reflection-lm-key", value: true),
            .init("--reflection-lm-arg", value: true),
            .init("--max-calls", value: true), .init("--max-cost", value: true), .init("--patience", value: true),
            .init("--target", value: true), .init("--max-merges", value: true), .init("--climb", value: true),
            .init("--probes", value: true), .init("-j", "--jobs", value: true), .init("--cache", value: true), .init("--best"),
            .init("--finalists", value: true), .init("--explain"), .init("--frontier"), .init("-v", "--verbose"), .init("-q", "--quiet"),
        ])

    public static func main(_ argv: [String]) -> Never {
        let arguments = Arguments.parse(argv, command)
        let filter = Filter(tool: command.tool)
        filter.quiet = arguments.flag("--quiet")
        var options: EvolveOptions
        let reflectionLM: LMConfig?
        let finalists: Int?  // how many of the best to write (--best: one), instead of a step
        do throws(UsageError) {
            options = try self.options(arguments, filter)
            reflectionLM = try LMConfig.reflection(arguments)
            finalists = arguments.flag("--best") ? 1 : try arguments.integer("--finalists", minimum: 1)
        } catch {
            filter.diagnose(nil, error.message)
            printError("usage: see 'mkspy-evolve --help'")
            exit(.usage)
        }

        // The archive must be read whole: selection, the frontier and the schedule all need
        // every candidate's every score before the first record can be written.
        // A line that is not a record (a write cut short when the loop was killed) is skipped
        // with a note: the next step must still run, and its output is not the archive's.
        var archive = Archive()
        var records = RecordStream(sources: filter.open(arguments.operands))
        while let next = records.next() {
            switch next {
            case .failure(let error): filter.diagnose(error.location, "skipped: \(error.message)")
            case .success(let record):
                if let problem = archive.add(record.object) { filter.diagnose(record.location, "skipped: \(problem)") }
            }
        }
        // Read back, the search is read with its budget (which decides how much of val it kept):
        // the latest step's, unless --max-calls is given.
        if options.maxCalls == nil, finalists != nil || ["--explain", "--frontier"].contains(where: arguments.flag) {
            options.maxCalls = archive.lastMaxCalls
        }
        let evolver = Evolver(archive: archive, options: options)

        if arguments.flag("--explain") || arguments.flag("--frontier") {
            for record in arguments.flag("--explain") ? evolver.explained() : evolver.ranking() { filter.emit(record) }
            filter.finish()
        }
        if let note = valCutNote(evolver), finalists != nil || (!filter.quiet && evolver.stepNumber == 1) {
            filter.diagnose(nil, note)
        }
        if let finalists {
            let chosen = evolver.finalists(finalists)
            guard let (_, val) = chosen.first else {
                filter.diagnose(nil, "no candidate has been scored on any val example yet")
                exit(max(filter.status, .cannotProceed))
            }
            if val.count < evolver.options.val.count {
                filter.diagnose(nil, "no candidate was scored on all \(evolver.options.val.count) val examples (the search ended first): "
                                + "this is the one the val race took farthest, \(val.count) of them")
            } else if chosen.count < finalists {
                filter.diagnose(nil, "\(chosen.count) of the \(finalists) finalists asked for: the others never ran all of val")
            }
            for (rank, (entry, val)) in chosen.enumerated() {
                let mean = entry.mean(val) ?? 0
                var record = entry.withScores
                record.evolve = EvolveMarks(minibatch: record.evolve?.minibatch, minibatches: record.evolve?.minibatches,
                                            val: .init(mean: mean, n: val.count), maxCalls: record.evolve?.maxCalls)
                filter.emit(record.json)
                let name = arguments.flag("--best") ? "best" : "finalist \(rank + 1)"
                if !filter.quiet { filter.diagnose(nil, "\(name): \(entry.id.prefix(12)) (\(entry.candidate.origin), generation \(entry.candidate.generation)), val mean \(format(mean)) on \(val.count)") }
            }
            filter.finish()
        }
        if archive.entries.isEmpty {
            filter.diagnose(nil, "no candidates to evolve: give the archive (scored candidates), or seeds from mkspy-gen")
            exit(max(filter.status, .cannotProceed))
        }

        var reflector: Reflector
        if let reflectionLM {
            reflector = pythonReflector(lm: reflectionLM, jobs: options.children, cache: PythonEnvironment.lmCache(arguments.value("--cache")),
                                        quiet: filter.quiet)
        } else {
            if !filter.quiet { printError("mkspy-evolve: no reflection LM (--reflection-lm, MKSPY_REFLECTION_LM or MKSPY_LM): children get demos and strategy changes only") }
            reflector = { requests in requests.map { _ in nil } }
        }
        if arguments.flag("--verbose") { reflector = narrated(reflector) }

        // What is decided before a reflection is written at once: in a pipeline, mkspy-score
        // runs it while the reflection LM thinks.
        var written = 0
        let result = evolver.step(reflector: reflector) { records in
            for record in records { filter.emit(record.json) }
            StandardOutput.flush()
            written = records.count
        }
        if !filter.quiet { for note in result.notes { filter.diagnose(nil, note) } }
        // Why the search stops, and reflections that gave nothing, are said even with -q.
        let report = StepReport(evolver, result)
        if !filter.quiet || result.stop != nil || report.failedReflections > 0 {
            ProgressLine.emit(tool: command.tool, report.line, event: report.json)
        }
        for record in result.records.dropFirst(written) { filter.emit(record.json) }
        filter.finish()
    }

    /// What to tell when the budget cut val (`EvolveOptions.affordableVal`).
    static func valCutNote(_ evolver: Evolver) -> String? {
        guard let given = evolver.valCut, let maxCalls = evolver.options.maxCalls else { return nil }
        return "val has \(given) examples and --max-calls \(maxCalls) pays for \(evolver.options.val.count) of them "
            + "(a quarter of the budget): the search keeps that many of them as val"
    }

    /// `reflector`, telling on stderr what each reflection read and the instruction it proposed
    /// (`--verbose`), as dspy.GEPA's log does.
    static func narrated(_ reflector: @escaping Reflector) -> Reflector {
        { requests in
            let answers = reflector(requests)
            for (i, request) in requests.enumerated() {
                let examples = request.json["examples"]?.arrayValue ?? []
                printError("mkspy-evolve: reflection on \(request.module) read \(examples.count) examples:")
                for e in examples {
                    let feedback = e["feedback"]?.stringValue ?? ""
                    printError("    score \(e["score"]?.doubleValue.map { format($0, digits: 2) } ?? "none"): \(feedback.prefix(160))\(feedback.count > 160 ? "…" : "")")
                }
                if let text = i < answers.count ? answers[i] : nil {
                    printError("mkspy-evolve: Proposed new text for \(request.module): \(text)")
                } else {
                    printError("mkspy-evolve: no new text for \(request.module)")
                }
            }
            return answers
        }
    }

    /// The options a command line asks for, with the train and val ids read from their files.
    static func options(_ arguments: Arguments, _ filter: Filter) throws(UsageError) -> EvolveOptions {
        guard let trainPath = arguments.value("--train") else { throw UsageError("--train FILE is required: the examples minibatches come from") }
        guard let valPath = arguments.value("--val") else { throw UsageError("--val FILE is required: the examples the frontier is kept on") }
        // Read together, as mkspy-score reads them: an id in both files is an error here too,
        // or the loop would end at mkspy-score's status 2 a step later.
        let (data, problems) = Dataset.load([trainPath, valPath])
        for p in problems { filter.diagnose(nil, p) }
        if !problems.isEmpty { exit(.usage) }
        let ids = { (path: String) in data.examples.filter { $0.location.input == path }.map(\.id) }
        let (train, val) = (ids(trainPath), ids(valPath))
        if val.isEmpty { throw UsageError("--val \(valPath) has no examples") }
        if ["--best", "--finalists", "--explain", "--frontier"].filter(arguments.flag).count > 1 {
            throw UsageError("--best, --finalists, --explain and --frontier each write one kind of output: give one")
        }
        var options = EvolveOptions()
        options.train = train
        options.val = val
        options.children = try arguments.integer("--children", minimum: 1) ?? options.children
        options.seed = UInt64(try arguments.integer("--seed", minimum: 0) ?? 0)
        options.minibatch = try arguments.integer("--minibatch", minimum: 1) ?? options.minibatch
        options.reflectionMinibatch = try arguments.integer("--reflection-minibatch", minimum: options.minibatch)  // it holds the gate
        options.maxCalls = try arguments.integer("--max-calls", minimum: 0)
        options.maxCost = try arguments.decimal("--max-cost")
        options.patience = try arguments.integer("--patience", minimum: 1)
        options.target = try arguments.decimal("--target")
        options.maxMerges = try arguments.integer("--max-merges", minimum: 0) ?? 5
        options.climb = try arguments.integer("--climb", minimum: 1) ?? 8
        options.probes = try arguments.integer("--probes", minimum: 1) ?? 2
        options.jobs = try arguments.integer("--jobs", minimum: 1) ?? 4
        return options
    }
}
