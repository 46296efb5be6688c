import MkspyCore
import MkspyRuntime

/// mkspy-evolve: reads the archive of scored candidates and writes the next step of the search.
public enum EvolveTool {
    public static let command = CommandSpec(tool: "mkspy-evolve", help: """
        usage: mkspy-evolve --train FILE --val FILE [--children N] [--seed N] [--minibatch N]
                            [--reflection-minibatch N]
                            [--reflection-lm MODEL] [--reflection-lm-base URL] [--reflection-lm-key KEY]
                            [--max-calls N] [--max-cost USD] [--patience N] [--target SCORE]
                            [--max-merges N] [--climb N] [--probes N] [-j N] [--cache DIR] [--best] [-q]
                            [FILE...]

        Read the archive (every candidate record of the FILEs, or stdin; the same id may appear
        many times and is merged, scores united) and write the next step of a reflective
        evolutionary search: candidates that need more evaluation, parents that must run a
        minibatch, and new children, each with `want`. Writes nothing (and exits 0) when the
        budget is spent or the search is over, so a shell loop ends on empty output.

          --train FILE           train examples: minibatches, reflection and demos
          --val FILE             val examples: the Pareto frontier and staged evaluation
          --children N           children per step (default 4)
          --seed N               seed of every random choice (default 0)
          --minibatch N          train examples a child must beat its parent on (default 3)
          --reflection-minibatch N
                                 train examples a reflection reads (default: --minibatch, grown
                                 to fill with a child's gate its share of a round of -j, at most
                                 twice --minibatch: 5 at -j 8 --children 1)
          --reflection-lm MODEL  dspy.LM model of the reflection LM (default $MKSPY_REFLECTION_LM,
                                 else $MKSPY_LM); --reflection-lm-base/-key default to
                                 $MKSPY_REFLECTION_LM_BASE/_KEY, else $MKSPY_LM_BASE/_KEY
          --max-calls N          stop after N metric calls (scored candidate-example pairs)
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
          --best                 write only the best fully evaluated candidate
          -q, --quiet            no notes on stderr
          -h, --help             show this help
          --version              show the version

        Exit status: 0 done (also when stopping), 1 a record could not be read, 2 usage error or
        unreadable file, 3 nothing to work on. See mkspy-evolve(1).

        """, options: [
            .init("--train", value: true), .init("--val", value: true), .init("--children", value: true),
            .init("--seed", value: true), .init("--minibatch", value: true),
            .init("--reflection-minibatch", value: true), .init("--reflection-lm", value: true),
            .init("--reflection-lm-base", value: true), .init("--reflection-lm-key", value: true),
            .init("--max-calls", value: true), .init("--max-cost", value: true), .init("--patience", value: true),
            .init("--target", value: true), .init("--max-merges", value: true), .init("--climb", value: true),
            .init("--probes", value: true), .init("-j", "--jobs", value: true), .init("--cache", value: true), .init("--best"), .init("-q", "--quiet"),
        ])

    public static func main(_ argv: [String]) -> Never {
        let arguments = Arguments.parse(argv, command)
        let filter = Filter(tool: command.tool)
        filter.quiet = arguments.flag("--quiet")
        func usage(_ message: String) -> Never {
            filter.diagnose(nil, message)
            printError("usage: see 'mkspy-evolve --help'")
            exit(.usage)
        }
        func integer(_ name: String, _ fallback: Int?, minimum: Int) -> Int? {
            guard let text = arguments.value(name) else { return fallback }
            guard let n = Int(text), n >= minimum else { usage("\(name) needs an integer ≥ \(minimum), got '\(text)'") }
            return n
        }
        func decimal(_ name: String) -> Double? {
            guard let text = arguments.value(name) else { return nil }
            guard let x = Double(text), x >= 0 else { usage("\(name) needs a number ≥ 0, got '\(text)'") }
            return x
        }
        guard let trainPath = arguments.value("--train") else { usage("--train FILE is required: the examples minibatches come from") }
        guard let valPath = arguments.value("--val") else { usage("--val FILE is required: the examples the frontier is kept on") }
        let (train, trainProblems) = Dataset.load([trainPath])
        let (val, valProblems) = Dataset.load([valPath])
        for p in trainProblems + valProblems { filter.diagnose(nil, p) }
        if !(trainProblems + valProblems).isEmpty { exit(.usage) }
        if val.ids.isEmpty { usage("--val \(valPath) has no examples") }

        var options = EvolveOptions()
        options.train = train.ids
        options.val = val.ids
        options.children = integer("--children", 4, minimum: 1)!
        options.seed = UInt64(integer("--seed", 0, minimum: 0)!)
        options.minibatch = integer("--minibatch", 3, minimum: 1)!
        options.reflectionMinibatch = integer("--reflection-minibatch", nil, minimum: options.minibatch)  // it holds the gate
        options.maxCalls = integer("--max-calls", nil, minimum: 0)
        options.maxCost = decimal("--max-cost")
        options.patience = integer("--patience", nil, minimum: 1)
        options.target = decimal("--target")
        options.maxMerges = integer("--max-merges", 5, minimum: 0)!
        options.climb = integer("--climb", 8, minimum: 1)!
        options.probes = integer("--probes", 2, minimum: 1)!
        options.jobs = integer("--jobs", 4, minimum: 1)!

        // The archive must be read whole: selection, the frontier and the schedule all need
        // every candidate's every score before the first record can be written.
        // A line that is not a record (a write cut short when the loop was killed) is skipped
        // with a note: the next step must still run, and its output is not the archive's.
        var archive = Archive()
        for source in filter.open(arguments.operands) {
            var reader = RecordReader(source: source)
            while let next = reader.next() {
                switch next {
                case .failure(let error): filter.diagnose(error.location, "skipped: \(error.message)")
                case .success(let record):
                    if let problem = archive.add(record.object) { filter.diagnose(record.location, "skipped: \(problem)") }
                }
            }
        }
        let evolver = Evolver(archive: archive, options: options)

        if arguments.flag("--best") {
            guard let best = evolver.best else {
                filter.diagnose(nil, "no candidate has been scored on every val example yet")
                exit(max(filter.status, .cannotProceed))
            }
            filter.emit(best.record(want: nil))
            if !filter.quiet { filter.diagnose(nil, "best: \(best.id.prefix(12)) (\(best.candidate.origin), generation \(best.candidate.generation)), val mean \(format(best.mean(options.val) ?? 0))") }
            filter.finish()
        }
        if archive.entries.isEmpty {
            filter.diagnose(nil, "no candidates to evolve: give the archive (scored candidates), or seeds from mkspy-gen")
            exit(max(filter.status, .cannotProceed))
        }

        let lm = environment("MKSPY_REFLECTION_LM") ?? environment("MKSPY_LM")
        let reflectionModel = arguments.value("--reflection-lm") ?? lm
        let reflector: Reflector
        if let model = reflectionModel {
            let settings = ReflectionLM(
                model: model,
                base: arguments.value("--reflection-lm-base") ?? environment("MKSPY_REFLECTION_LM_BASE") ?? environment("MKSPY_LM_BASE"),
                key: arguments.value("--reflection-lm-key") ?? environment("MKSPY_REFLECTION_LM_KEY") ?? environment("MKSPY_LM_KEY"))
            reflector = pythonReflector(lm: settings, jobs: options.children, cache: PythonEnvironment.lmCache(arguments.value("--cache")),
                                        quiet: filter.quiet)
        } else {
            if !filter.quiet { printError("mkspy-evolve: no reflection LM (--reflection-lm, MKSPY_REFLECTION_LM or MKSPY_LM): children get demos and strategy changes only") }
            reflector = { requests in requests.map { _ in nil } }
        }

        // What is decided before a reflection is written at once: in a pipeline, mkspy-score
        // runs it while the reflection LM thinks.
        var written = 0
        let result = evolver.step(reflector: reflector) { records in
            for record in records { filter.emit(record) }
            StandardOutput.flush()
            written = records.count
        }
        if !filter.quiet {
            for note in result.notes { filter.diagnose(nil, note) }
            let best = evolver.best.flatMap { $0.mean(options.val) }.map(format) ?? "none yet"
            let summary = "\(archive.metricCalls) metric calls, \(archive.entries.count) candidates, frontier \(evolver.frontier.members.count), best val mean \(best)"
            if let stop = result.stop { filter.diagnose(nil, "stopping: \(stop) (\(summary))") }
            else { filter.diagnose(nil, "\(result.records.count) records: \(summary)") }
        }
        for record in result.records.dropFirst(written) { filter.emit(record) }
        filter.finish()
    }
}

/// A score with three decimals.
func format(_ x: Double) -> String {
    let r = (x * 1000).rounded() / 1000
    return String(r)
}
