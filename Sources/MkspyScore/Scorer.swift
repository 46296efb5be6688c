import MkspyCore
import MkspyRuntime

/// Limits of one run; nil is no limit. At a limit no new example starts; those running finish.
public struct Budget: Sendable {
    public var calls: Int?
    public var tokens: Int?
    public var cost: Double?
    public init(calls: Int? = nil, tokens: Int? = nil, cost: Double? = nil) { self.calls = calls; self.tokens = tokens; self.cost = cost }

    func exhausted(by usage: Usage) -> Bool {
        if let calls, usage.billedCalls >= calls { return true }
        if let tokens, usage.tokensIn + usage.tokensOut >= tokens { return true }
        if let cost, usage.cost >= cost { return true }
        return false
    }
}

/// Everything mkspy-score's flags decide.
public struct ScoreOptions: Sendable {
    public var data: [String] = []
    /// `--metric`: overrides every spec's metric.
    public var metric: JSONObject?
    public var lm: LMConfig
    public var jobs = 1
    public var budget = Budget()
    public var cacheDirectory: String?
    public var logPath: String?
    public var force = false
    public var quiet = false
    public var timeoutSeconds = 300.0
    /// `--lm-timeout`: how long one LM request may take before it is an `lm_timeout`.
    public var lmTimeoutSeconds = 120.0
    /// `--retries`: how many times a failed LM call is tried again within the run.
    public var retries = 3
    public var memoryMB = 4096
    /// `--program-arg k=v`: the keyword arguments a user's program class is built with.
    public var programArguments = JSONObject()

    public init(lm: LMConfig) { self.lm = lm }
}

/// One candidate being evaluated.
final class Run {
    let key: String
    var candidate: Candidate
    let metric: JSONObject
    let builtin: BuiltinMetric?
    var scores: Scores
    /// The ids this run covers: the record's `want`, else every example.
    let wanted: [String]
    var todo: [String]
    var inFlight = 0
    var announced = false
    /// Why its program (or its metric) did not load, when it did not: every example fails.
    var loadError: String?

    init(key: String, candidate: Candidate, metric: JSONObject, wanted: [String]) {
        self.key = key; self.candidate = candidate; self.metric = metric
        self.builtin = BuiltinMetric(metric); self.wanted = wanted
        let scores = candidate.scores ?? [:]
        self.scores = scores
        self.todo = wanted.filter { scores[$0]?.isScored != true }
    }

    var name: String { candidate.id }
}

/// Evaluates candidate records read from the operands and writes them back, in order, with
/// their scores. See mkspy-score(1).
public final class Scorer {
    enum Slot { case done([UInt8]), running(Run) }

    let options: ScoreOptions
    let filter: Filter
    let dataset: Dataset
    private var worker: RuntimeSession?
    private var failure: RuntimeError?
    private var window: [Slot] = []
    private var runs: [String: Run] = [:]
    private var count = 0
    private var inFlight = 0
    private var usage = Usage()
    private var exhausted = false
    private var restarts = 0
    private var progress: Progress
    /// The examples already reported as unusable, with what they lack: said once, not per candidate.
    private var unusable = Set<String>()

    public init(options: ScoreOptions, filter: Filter, dataset: Dataset) {
        self.options = options; self.filter = filter; self.dataset = dataset
        self.progress = Progress(quiet: options.quiet)
        self.exhausted = options.budget.exhausted(by: Usage())
        // A call without a key could only fail: nothing is started, and every record passes.
        if let missing = options.lm.missingKey { failure = RuntimeError(missing) }
    }

    var stopped: Bool { exhausted || failure != nil }

    /// Reads every operand, scores the candidates, writes every record, and exits.
    public func run(_ operands: [String]) -> Never {
        var records = RecordStream(sources: filter.open(operands))
        var inputDone = false
        let windowLimit = max(64, options.jobs * 4)
        // Upstream still working (a pipeline): a session with a runtime server that is up is
        // opened meanwhile, so that the first candidate finds it ready.
        if records.waitingDescriptor != nil, let session = RuntimeSession.openIfRunning(sessionConfig, quiet: options.quiet),
           session.next()?["op"]?.stringValue == "ready" {
            worker = session
        }
        while true {
            var starved = false  // work is running, and more input would have to be waited for
            while !inputDone, window.count < windowLimit, runningCount() < options.jobs || queued() < 2 * options.jobs {
                if inFlight > 0 || queued() > 0, records.waitingDescriptor != nil { starved = true; break }
                guard let next = records.next() else { inputDone = true; break }
                switch next {
                case .success(let record): admit(record)
                case .failure(let error):
                    filter.diagnose(error.location, error.message)
                    window.append(.done(error.record(tool: filter.tool).encoded))
                    filter.raise(.recordErrors)
                }
            }
            dispatch()
            flush()
            if inputDone && window.isEmpty { break }
            if inFlight > 0 {
                // Whichever comes first: a result, or input (run while the rest runs). What is
                // done goes downstream before the wait.
                if starved, let worker, !worker.hasBufferedResponse, let input = records.waitingDescriptor {
                    StandardOutput.flush()
                    if !waitReadable([worker.descriptor, input])[0] { continue }
                }
                receive()
            } else { settleAll() }
            flush()  // before the next read can wait for input
        }
        worker?.finish()
        progress.finish(usage)
        let firstLine = progress.firstError.map { $0.message.split(separator: "\n").first.map(String.init) ?? $0.message } ?? ""
        if let failure {
            filter.diagnose(nil, failure.message)
            filter.raise(.cannotProceed)
        } else if exhausted && progress.done == 0 && progress.total > 0 {
            filter.diagnose(nil, "the budget was exhausted before any example was evaluated")
            filter.raise(.cannotProceed)
        } else if progress.unreachable > 0 && usage.calls == usage.failed, let code = progress.commonestProviderCode {
            filter.diagnose(nil, "no LM call succeeded: \(progress.unreachable) examples failed with an LM error, most with \(code.rawValue): \(code.advice); they stay in want (see the records' scores.*.error)")
            filter.raise(.cannotProceed)
        } else if let code = progress.setupFailure {
            // A rerun would fail the same way, and a loop would ask for the same examples forever.
            filter.diagnose(nil, "no example was scored: every one failed with \(code.rawValue) (the first: \(firstLine)): \(code.advice); "
                            + "they stay in want")
            filter.raise(.cannotProceed)
        } else {
            if exhausted, !options.quiet { filter.diagnose(nil, "budget reached: unevaluated examples stay in each candidate's want") }
            if let first = progress.firstError, progress.clean == 0 {
                let what = progress.scored == 0 ? "no example was scored: every one failed" : "every example failed"
                filter.diagnose(nil, "\(what); the first with \(first.code.rawValue): \(firstLine)")
                filter.raise(.recordErrors)
            }
        }
        filter.finish()
    }

    // MARK: Admitting records

    private func admit(_ record: Record) {
        guard record.kind == "candidate" else { return window.append(.done(record.raw)) }
        var object = record.object
        let name = object["id"]?.stringValue ?? "?"
        func refuse(_ rule: String, _ message: String) {
            filter.diagnose(record.location, "candidate \(name): \(message)")
            object["summary"] = Summary(refusal: Diagnostic(rule, .error, message)).json
            window.append(.done(JSON.object(object).encoded))
            filter.raise(.recordErrors)
        }
        let candidate: Candidate
        do { candidate = try Candidate(json: object) } catch { return refuse("SCORE004", error.message) }
        if !options.force {
            guard let check = candidate.check else {
                return refuse("SCORE001", "not checked: run mkspy-check first, or pass --force")
            }
            guard check.ok else {
                return refuse("SCORE001", "mkspy-check found errors in this program; fix them, or pass --force to score it anyway")
            }
        }
        guard let source = candidate.source, !source.isEmpty else {
            return refuse("SCORE002", "no source: render it with mkspy-gen first")
        }
        if candidate.spec.program != nil, candidate.state == nil {
            return refuse("SCORE002", "no state: render it with mkspy-gen first")
        }
        if !options.force, let check = candidate.check, !check.covers(source) {
            return refuse("SCORE006", check.sourceSHA256 == nil
                ? "its check names no source_sha256, so it is not known to be for this source: run mkspy-check again, or pass --force"
                : "its source is not the one mkspy-check checked (source_sha256 differs): run mkspy-check again, or pass --force")
        }
        guard let metric = options.metric ?? candidate.spec.metric else {
            return refuse("SCORE003", "no metric: the spec has none; pass --metric KIND or --metric metric.json")
        }
        // A --metric is checked as a spec's own is: else every example would be paid for and score 0.
        if let wrong = metricDiagnostics(metric, for: candidate.spec).first(where: { $0.severity == .error }) {
            return refuse("SCORE003", "the metric: \(wrong.rule) \(wrong.message)")
        }
        // A python metric's file is read where the worker reads it: no example could be scored.
        if metric["kind"]?.stringValue == "python", let path = metric["path"]?.stringValue {
            let full = path.hasPrefix("/") ? path : (candidate.spec.path.map(parentDirectory) ?? absolutePath(".")) + "/" + path
            if readFile(full) == nil {
                return refuse("SCORE003", "the python metric file \(full) does not exist or cannot be read (mkspy-spec reports it as SPEC022)")
            }
        }
        var wanted = dataset.ids
        if let want = candidate.want {
            wanted = want
            let unknown = wanted.filter { dataset[$0] == nil }
            if !unknown.isEmpty, !options.quiet {
                filter.diagnose(record.location, "candidate \(name): want names examples no --data file has: \(unknown.prefix(5).joined(separator: ", ")); they are dropped")
                wanted.removeAll { dataset[$0] == nil }
            }
        }
        count += 1
        let run = Run(key: "c\(count)", candidate: candidate, metric: metric, wanted: wanted)
        refuseUnusable(run)
        progress.total += run.todo.count
        runs[run.key] = run
        window.append(.running(run))
        settle(run)
    }

    /// Takes out of a run's work the examples that lack a field its program or metric needs
    /// (or hold null there), or whose gold the exact metric can never match (a label none of
    /// an enum output's values): each gets a `data` error (no score, still wanted), is named
    /// on stderr once, and costs no LM call.
    private func refuseUnusable(_ run: Run) {
        let needs = requiredFields(spec: run.candidate.spec, metric: run.metric)
        run.todo.removeAll { id in
            guard let example = dataset[id] else { return false }
            let absent = { (name: String) in example.fields[name] == nil || example.fields[name] == .null }
            let inputs = needs.inputs.filter(absent), gold = needs.gold.filter(absent)
            let unreachable = unreachableGold(spec: run.candidate.spec, metric: run.metric, example: example.fields)
            guard !inputs.isEmpty || !gold.isEmpty || !unreachable.isEmpty else { return false }
            func named(_ fields: [String], _ kind: String, _ who: String) -> String {
                "\(kind) field\(fields.count > 1 ? "s" : "") \(fields.map { "'\($0)'" }.joined(separator: ", ")) (\(who) needs \(fields.count > 1 ? "them" : "it"))"
            }
            let lacks = (inputs.isEmpty ? [] : [named(inputs, "input", run.candidate.spec.program.map { "\($0.className).forward" } ?? "the program")]) + (gold.isEmpty ? [] : [named(gold, "gold", "the metric")])
            // A label outside the output's values (data with a mistake in it): no answer can match it.
            let outside = unreachable.map { f, values in
                "gold '\(f)' \(example.fields[f]!.text), none of the values it can take (\(values.joined(separator: ", "))), so no answer matches it"
            }
            let message = "example \(id) " + ((lacks.isEmpty ? [] : ["has no " + lacks.joined(separator: " and no ")]) + outside.map { "has " + $0 })
                .joined(separator: " and ")
            run.scores[id] = ScoreEntry(score: nil, feedback: "not scored (data): \(message); no LM call was made",
                                        error: ScoreError(.data, message))
            if unusable.insert(id + "\u{0}" + message).inserted {
                filter.diagnose(example.location, message)
            }
            progress.recordUnusable(ScoreError(.data, message))
            filter.raise(.recordErrors)
            return true
        }
    }

    private func runningCount() -> Int { runs.values.filter { !$0.todo.isEmpty }.count }
    private func queued() -> Int { runs.values.reduce(0) { $0 + $1.todo.count } }

    // MARK: Dispatching and receiving

    /// Starts examples until `jobs` are running, spreading them over the candidates in the
    /// window (each candidate's examples reuse its worker process).
    private func dispatch() {
        while inFlight < options.jobs, !stopped {
            let ready = window.compactMap { slot -> Run? in
                if case .running(let run) = slot, !run.todo.isEmpty { return run } else { return nil }
            }
            guard let run = ready.min(by: { $0.inFlight < $1.inFlight }) else { return }
            guard let worker = startWorker() else { return }
            if !run.announced { announce(run, to: worker); run.announced = true }
            let id = run.todo.removeFirst()
            worker.send(["op": "example", "cid": .string(run.key), "eid": .string(id),
                         "example": .object(dataset[id]!.fields)])
            run.inFlight += 1
            inFlight += 1
        }
    }

    private func announce(_ run: Run, to worker: RuntimeSession) {
        let spec = run.candidate.spec
        let directory = spec.path.map(parentDirectory) ?? absolutePath(".")
        var message: JSONObject = [
            "op": "candidate", "cid": .string(run.key), "name": .string(run.name), "source": .string(run.candidate.source ?? ""),
            "spec_dir": .string(directory), "program": .string(GeneratedNames.classes(spec).program),
            "inputs": .array(spec.inputs.map { .string($0.name) }),
            "outputs": .array(spec.outputs.map { .string($0.name) }),
            "metric": run.builtin == nil ? .object(run.metric) : .null,
        ]
        if let program = spec.program {
            // The user's file, built as the user builds it, its state applied, its predictors checked.
            message["program"] = .string(program.className)
            message["program_path"] = .string(program.path)
            message["program_args"] = .object(options.programArguments)
            message["state"] = run.candidate.state.map(JSON.object) ?? .null
            message["predictors"] = .array(spec.operations.map { .string($0.name) })
        }
        worker.send(.object(message))
    }

    /// The first line of the scoring session: the LM with mkspy's retries (each attempt a
    /// call of its own) and its request timeout.
    private var sessionConfig: JSON {
        var lm = options.lm
        lm.arguments["num_retries"] = .int(options.retries)
        lm.arguments["timeout"] = .double(options.lmTimeoutSeconds)
        var config = ErrorCode.workerConfig
        config["op"] = "config"
        config["lm"] = lm.json
        config["jobs"] = .int(options.jobs)
        config["cache_dir"] = options.cacheDirectory.map(JSON.string) ?? .null
        config["timeout_s"] = .double(options.timeoutSeconds)
        config["memory_mb"] = .int(options.memoryMB)
        config["log"] = options.logPath.map { .string(absolutePath(parentDirectory($0)) + "/" + baseName($0)) } ?? .null
        return .object(config)
    }

    private func startWorker() -> RuntimeSession? {
        if let worker { return worker }
        if failure != nil { return nil }
        do throws(RuntimeError) {
            let session = try RuntimeSession.open(sessionConfig, quiet: options.quiet)
            guard let ready = session.next() else {
                throw RuntimeError("the scoring worker exited before it was ready; is dspy installed in the runtime's Python?")
            }
            guard ready["op"]?.stringValue == "ready" else { throw RuntimeError("the scoring worker answered \(ready.text) instead of ready") }
            worker = session
        } catch {
            failure = error
        }
        return worker
    }

    private func receive() {
        guard let message = worker?.next() else { return workerDied() }
        guard message["op"]?.stringValue == "result", let key = message["cid"]?.stringValue, let run = runs[key],
              let id = message["eid"]?.stringValue else { return }
        run.inFlight -= 1
        inFlight -= 1
        var entry = scoreEntry(run, id, message)
        if entry.error?.code == .load {
            run.loadError = run.loadError ?? entry.error?.message
            if run.candidate.spec.program != nil {
                // The user's file or its arguments, the same for every candidate of it: no example
                // is scored, nothing more starts, and the candidate says why (see `finished`).
                progress.total -= run.todo.count + 1
                run.todo.removeAll()
                if stopped { settleAll() } else { settle(run) }
                return
            }
        }
        let fresh = entry.usage ?? Usage()
        // An example run again (its provider failed, or --force) keeps the calls its earlier
        // runs made: they were paid, and mkspy-evolve's --max-cost reads them from here.
        if let earlier = run.scores[id]?.usage {
            var all = earlier
            all.add(fresh)
            entry.usage = all
        }
        run.scores[id] = entry
        usage.add(fresh)
        progress.record(entry, usage)
        if options.budget.exhausted(by: usage) { exhausted = true }
        if stopped { settleAll() } else { settle(run) }
    }

    /// The worker exited: what was running is recorded as a `worker` error (not scored, still
    /// wanted). A new worker takes the rest, twice at most (a program that kills the session
    /// must not stop the run); then nothing new starts.
    private func workerDied() {
        worker = nil
        restarts += 1
        if restarts > 2 { failure = RuntimeError("the scoring worker exited unexpectedly, \(restarts) times; see its messages above") }
        for run in runs.values { run.announced = false }
        for run in runs.values where run.inFlight > 0 {
            for id in run.wanted where run.scores[id] == nil && !run.todo.contains(id) {
                run.scores[id] = ScoreEntry(score: nil, feedback: "not scored: the scoring worker exited",
                                            error: ScoreError(.worker, "the scoring worker exited"))
            }
            inFlight -= run.inFlight
            run.inFlight = 0
        }
        settleAll()
    }

    /// The `scores` entry for one example: the worker's prediction, trace, usage and error,
    /// scored here by a built-in metric or by the worker's python/judge metric.
    private func scoreEntry(_ run: Run, _ id: String, _ message: JSON) -> ScoreEntry {
        var entry = ScoreEntry(json: message)
        if let error = entry.error {
            entry.score = error.code.isTransient ? nil : 0
            entry.feedback = error.code.isTransient
                ? "not scored (\(error.code.rawValue)): \(error.message); the example stays in want for the next run"
                : "the program failed (\(error.code.rawValue)): \(error.message)"
        } else if let builtin = run.builtin {
            let result = builtin.evaluate(gold: dataset[id]?.fields ?? [:], prediction: entry.prediction.objectValue ?? [:],
                                          outputs: run.candidate.spec.outputs.map(\.name))
            entry.score = result.score
            entry.feedback = result.feedback
        }
        return entry
    }

    // MARK: Finishing candidates

    private func settleAll() { for run in Array(runs.values) { settle(run) } }

    /// Writes a candidate into its window slot once nothing of it runs and nothing more will start.
    private func settle(_ run: Run) {
        guard run.inFlight == 0, run.todo.isEmpty || stopped else { return }
        guard let index = window.firstIndex(where: { if case .running(let r) = $0 { r === run } else { false } }) else { return }
        window[index] = .done(finished(run).json.encoded)
        if let why = run.loadError {  // not the LM's doing, nor one example's: say it
            let first = why.split(separator: "\n").first.map(String.init) ?? why
            filter.diagnose(nil, run.candidate.spec.program == nil
                ? "candidate \(run.name): its program or metric did not load, so every example failed: \(first)"
                : "candidate \(run.name): the program or its metric did not load, so no example was run: \(first)")
            filter.raise(.recordErrors)
        }
        runs[run.key] = nil
        if run.announced { worker?.send(["op": "drop", "cid": .string(run.key)]) }
    }

    /// The candidate with its scores, what it still wants, its usage and the run's summary.
    private func finished(_ run: Run) -> Candidate {
        var candidate = run.candidate
        let want = run.wanted.filter { run.scores[$0]?.isScored != true }
        var totals = Usage()
        for entry in run.scores.values { totals.add(entry.usage ?? Usage()) }
        var byFile = [String: [ScoreEntry]]()
        for (id, entry) in run.scores {
            if let file = dataset[id]?.location.input { byFile[file, default: []].append(entry) }
        }
        candidate.scores = run.scores
        candidate.want = want.isEmpty ? nil : want
        candidate.usage = totals
        candidate.summary = Summary(metric: run.metric["kind"]?.stringValue,
                                    run: Summary.Tally(run.wanted.map { run.scores[$0] ?? ScoreEntry(score: nil, feedback: "") }),
                                    data: byFile.mapValues(Summary.Tally.init))
        if candidate.spec.program != nil, let why = run.loadError {
            candidate.want = nil
            candidate.summary = Summary(refusal: Diagnostic("SCORE005", .error, "the program or its metric did not load: \(why)"))
        }
        return candidate
    }

    private func flush() {
        while let first = window.first, case .done(let bytes) = first {
            StandardOutput.write(bytes + [0x0A])
            window.removeFirst()
        }
    }
}

func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

func baseName(_ path: String) -> String {
    path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
}
