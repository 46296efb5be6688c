import MkspyCore
import MkspyRuntime

/// The LM a run talks to: a dspy.LM model string, its base URL and key, and extra
/// keyword arguments (`--lm-arg temperature=0`).
public struct LMSettings: Sendable {
    public var model: String
    public var base: String?
    public var key: String?
    public var arguments: JSONObject

    public init(model: String, base: String? = nil, key: String? = nil, arguments: JSONObject = [:]) {
        self.model = model; self.base = base; self.key = key; self.arguments = arguments
    }

    var json: JSON {
        var kwargs = arguments
        let retries = kwargs["num_retries"] ?? .int(3)
        kwargs["num_retries"] = nil
        return ["model": .string(model), "api_base": base.map(JSON.string) ?? .null,
                "api_key": key.map(JSON.string) ?? .null, "num_retries": retries, "kwargs": .object(kwargs)]
    }
}

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
    public var lm: LMSettings
    public var jobs = 1
    public var budget = Budget()
    public var cacheDirectory: String?
    public var logPath: String?
    public var force = false
    public var quiet = false
    public var timeoutSeconds = 300.0
    public var memoryMB = 4096

    public init(lm: LMSettings) { self.lm = lm }
}

/// LM usage, summed over examples.
struct Usage {
    var calls = 0, cached = 0, failed = 0, tokensIn = 0, tokensOut = 0
    var latencyMS = 0.0
    var cost = 0.0
    var costKnown = false
    /// Calls that reached the provider (not answered from the cache).
    var billedCalls: Int { calls - cached }

    mutating func add(_ usage: JSON?) {
        guard let u = usage?.objectValue else { return }
        calls += u["lm_calls"]?.intValue ?? 0
        cached += u["cached_calls"]?.intValue ?? 0
        failed += u["failed_calls"]?.intValue ?? 0
        tokensIn += u["tokens_in"]?.intValue ?? 0
        tokensOut += u["tokens_out"]?.intValue ?? 0
        latencyMS += u["latency_ms"]?.doubleValue ?? 0
        if let c = u["cost"]?.doubleValue { cost += c; costKnown = true }
    }

    var json: JSON {
        ["lm_calls": .int(calls), "cached_calls": .int(cached), "failed_calls": .int(failed),
         "tokens_in": .int(tokensIn), "tokens_out": .int(tokensOut),
         "latency_ms": .double((latencyMS * 10).rounded() / 10), "cost": costKnown ? .double(cost) : .null]
    }
}

/// Error codes that are not the candidate's fault: the example is left unscored (score null),
/// stays in `want`, and is tried again by the next run.
let transientErrors: Set<String> = [
    "lm_rate_limit", "lm_timeout", "lm_server", "lm_unreachable", "lm_auth", "lm_billing", "metric", "worker",
]

/// One candidate being evaluated.
final class Run {
    let key: String
    var record: JSONObject
    let spec: Spec
    let metric: JSONObject
    let builtin: BuiltinMetric?
    var scores: JSONObject
    /// The ids this run covers: the record's `want`, else every example.
    let wanted: [String]
    var todo: [String]
    var inFlight = 0
    var announced = false
    /// Why its program (or its metric) did not load, when it did not: every example fails.
    var loadError: String?

    init(key: String, record: JSONObject, spec: Spec, metric: JSONObject, wanted: [String], scores: JSONObject) {
        self.key = key; self.record = record; self.spec = spec; self.metric = metric
        self.builtin = BuiltinMetric(metric); self.wanted = wanted; self.scores = scores
        self.todo = wanted.filter { scores[$0]?["score"]?.doubleValue == nil }
    }
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
    private var progress: Progress

    public init(options: ScoreOptions, filter: Filter, dataset: Dataset) {
        self.options = options; self.filter = filter; self.dataset = dataset
        self.progress = Progress(quiet: options.quiet)
        self.exhausted = options.budget.exhausted(by: Usage())
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
        if let failure {
            filter.diagnose(nil, failure.message)
            filter.raise(.cannotProceed)
        } else if exhausted && progress.done == 0 && progress.total > 0 {
            filter.diagnose(nil, "the budget was exhausted before any example was evaluated")
            filter.raise(.cannotProceed)
        } else if progress.unreachable > 0 && usage.calls == usage.failed {
            filter.diagnose(nil, "the LM could not be reached: no LM call succeeded, and \(progress.unreachable) examples failed with an LM error after retries (see the records' scores.*.error)")
            filter.raise(.cannotProceed)
        } else if exhausted {
            filter.diagnose(nil, "budget reached: unevaluated examples stay in each candidate's want")
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
            object["summary"] = ["ok": false, "diagnostics": [["rule": .string(rule), "severity": "error", "message": .string(message)]]]
            window.append(.done(JSON.object(object).encoded))
            filter.raise(.recordErrors)
        }
        let candidate: Candidate
        do { candidate = try Candidate(json: object) } catch { return refuse("SCORE004", error.message) }
        if !options.force {
            guard let check = object["check"]?.objectValue else {
                return refuse("SCORE001", "not checked: run mkspy-check first, or pass --force")
            }
            guard check["ok"]?.boolValue == true else {
                return refuse("SCORE001", "mkspy-check found errors in this program; fix them, or pass --force to score it anyway")
            }
        }
        guard let source = candidate.source, !source.isEmpty else {
            return refuse("SCORE002", "no source: render it with mkspy-gen first")
        }
        guard let metric = options.metric ?? candidate.spec.metric else {
            return refuse("SCORE003", "no metric: the spec has none; pass --metric KIND or --metric metric.json")
        }
        var wanted = dataset.ids
        if let want = object["want"]?.arrayValue {
            wanted = want.compactMap(\.stringValue)
            let unknown = wanted.filter { dataset[$0] == nil }
            if !unknown.isEmpty {
                filter.diagnose(record.location, "candidate \(name): want names examples no --data file has: \(unknown.prefix(5).joined(separator: ", ")); they are dropped")
                wanted.removeAll { dataset[$0] == nil }
            }
        }
        count += 1
        let run = Run(key: "c\(count)", record: object, spec: candidate.spec, metric: metric, wanted: wanted,
                      scores: object["scores"]?.objectValue ?? [:])
        progress.total += run.todo.count
        runs[run.key] = run
        window.append(.running(run))
        settle(run)
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
        let directory = run.spec.path.map(parentDirectory) ?? absolutePath(".")
        worker.send([
            "op": "candidate", "cid": .string(run.key), "name": run.record["id"] ?? .null, "source": .string(run.record["source"]?.stringValue ?? ""),
            "spec_dir": .string(directory), "program": .string(GeneratedNames.classes(run.spec).program),
            "inputs": .array(run.spec.inputs.map { .string($0.name) }),
            "outputs": .array(run.spec.outputs.map { .string($0.name) }),
            "metric": run.builtin == nil ? .object(run.metric) : .null,
        ])
    }

    /// The first line of the scoring session.
    private var sessionConfig: JSON {
        [
            "op": "config", "lm": options.lm.json, "jobs": .int(options.jobs),
            "cache_dir": options.cacheDirectory.map(JSON.string) ?? .null,
            "timeout_s": .double(options.timeoutSeconds), "memory_mb": .int(options.memoryMB),
            "log": options.logPath.map { .string(absolutePath(parentDirectory($0)) + "/" + baseName($0)) } ?? .null,
        ]
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
        if message["error"]?["code"]?.stringValue == "load" {
            run.loadError = run.loadError ?? message["error"]?["message"]?.stringValue
        }
        let entry = scoreEntry(run, id, message)
        run.scores[id] = entry
        usage.add(message["usage"])
        progress.record(entry, usage)
        if options.budget.exhausted(by: usage) { exhausted = true }
        if stopped { settleAll() } else { settle(run) }
    }

    /// The worker exited: what was running is recorded as a `worker` error, and nothing new starts.
    private func workerDied() {
        failure = RuntimeError("the scoring worker exited unexpectedly; see its messages above")
        for run in runs.values where run.inFlight > 0 {
            for (id, entry) in inFlightIDs(run) { run.scores[id] = entry }
            inFlight -= run.inFlight
            run.inFlight = 0
        }
        settleAll()
    }

    private func inFlightIDs(_ run: Run) -> [(String, JSON)] {
        let pending = run.wanted.filter { run.scores[$0] == nil && !run.todo.contains($0) }
        return pending.map { ($0, ["score": .null, "feedback": "not scored: the scoring worker exited", "prediction": .null,
                                   "trace": [], "error": ["code": "worker", "message": "the scoring worker exited"], "usage": .null]) }
    }

    /// The `scores` entry for one example: the worker's prediction, trace, usage and error,
    /// scored here by a built-in metric or by the worker's python/judge metric.
    private func scoreEntry(_ run: Run, _ id: String, _ message: JSON) -> JSON {
        var entry: JSONObject = [
            "prediction": message["prediction"] ?? .null, "trace": message["trace"] ?? [],
            "error": message["error"] ?? .null, "usage": message["usage"] ?? .null,
        ]
        if let error = message["error"]?.objectValue {
            let code = error["code"]?.stringValue ?? "program"
            let text = error["message"]?.stringValue ?? ""
            if transientErrors.contains(code) {
                entry["score"] = .null
                entry["feedback"] = .string("not scored (\(code)): \(text); the example stays in want for the next run")
            } else {
                entry["score"] = .double(0)
                entry["feedback"] = .string("the program failed (\(code)): \(text)")
            }
        } else if let builtin = run.builtin {
            let result = builtin.evaluate(gold: dataset[id]?.fields ?? [:], prediction: message["prediction"]?.objectValue ?? [:],
                                          outputs: run.spec.outputs.map(\.name))
            entry["score"] = .double(result.score)
            entry["feedback"] = .string(result.feedback)
        } else {
            entry["score"] = message["score"] ?? .null
            entry["feedback"] = message["feedback"] ?? ""
        }
        return .object(entry)
    }

    // MARK: Finishing candidates

    private func settleAll() { for run in Array(runs.values) { settle(run) } }

    /// Writes a candidate into its window slot once nothing of it runs and nothing more will start.
    private func settle(_ run: Run) {
        guard run.inFlight == 0, run.todo.isEmpty || stopped else { return }
        guard let index = window.firstIndex(where: { if case .running(let r) = $0 { r === run } else { false } }) else { return }
        window[index] = .done(JSON.object(finished(run)).encoded)
        if let why = run.loadError {  // not the LM's doing, nor one example's: say it
            let first = why.split(separator: "\n").first.map(String.init) ?? why
            filter.diagnose(nil, "candidate \(run.record["id"]?.stringValue ?? run.key): its program or metric did not load, so every example failed: \(first)")
            filter.raise(.recordErrors)
        }
        runs[run.key] = nil
        if run.announced { worker?.send(["op": "drop", "cid": .string(run.key)]) }
    }

    private func finished(_ run: Run) -> JSONObject {
        var record = run.record
        let want = run.wanted.filter { run.scores[$0]?["score"]?.doubleValue == nil }
        var totals = Usage()
        var scores = [Double]()
        var errors = 0
        for (_, entry) in run.scores {
            totals.add(entry["usage"])
            if let s = entry["score"]?.doubleValue { scores.append(s) }
            if entry["error"].map({ !$0.isNull }) == true { errors += 1 }
        }
        record["scores"] = .object(run.scores)
        record["want"] = want.isEmpty ? nil : .array(want.map(JSON.string))
        record["usage"] = totals.json
        record["summary"] = [
            "ok": true, "metric": run.metric["kind"] ?? .null,
            "mean": scores.isEmpty ? .null : .double(scores.reduce(0, +) / Double(scores.count)),
            "scored": .int(scores.count), "errors": .int(errors), "pending": .int(want.count),
        ]
        return record
    }

    private func flush() {
        while let first = window.first, case .done(let bytes) = first {
            StandardOutput.write(bytes + [0x0A])
            window.removeFirst()
        }
    }
}

/// Records from several sources, one at a time.
struct RecordStream {
    var sources: [ByteSource]
    var reader: RecordReader?

    init(sources: [ByteSource]) { self.sources = sources.reversed() }

    /// The descriptor `next()` would wait for; nil when a record or the end comes at once.
    var waitingDescriptor: Int32? {
        mutating get {
            if reader == nil, let source = sources.popLast() { reader = RecordReader(source: source) }
            return reader?.waitingDescriptor
        }
    }

    mutating func next() -> Result<Record, ReadError>? {
        while true {
            if let value = reader?.next() { return value }
            guard let source = sources.popLast() else { return nil }
            reader = RecordReader(source: source)
        }
    }
}

/// Progress on stderr: done/total, rate, ETA, calls, tokens, cost; at most once a second.
struct Progress {
    let quiet: Bool
    var total = 0
    var done = 0
    var unreachable = 0
    let started = monotonicSeconds()
    var shown = 0.0

    init(quiet: Bool) { self.quiet = quiet }

    mutating func record(_ entry: JSON, _ usage: Usage) {
        done += 1
        if let code = entry["error"]?["code"]?.stringValue, code.hasPrefix("lm_") { unreachable += 1 }
        let now = monotonicSeconds()
        if now - shown >= 1, done < total { shown = now; show(usage, final: false) }
    }

    func finish(_ usage: Usage) { if done > 0 { show(usage, final: true) } }

    func show(_ usage: Usage, final: Bool) {
        guard !quiet else { return }
        let elapsed = max(monotonicSeconds() - started, 1e-3)
        let rate = Double(done) / elapsed
        var line = "mkspy-score: \(done)/\(total) examples, \(format(rate, digits: 1))/s"
        if !final, rate > 0, total > done { line += ", ETA \(duration(Double(total - done) / rate))" }
        if final { line += ", \(duration(elapsed))" }
        line += ", \(usage.calls) LM calls (\(usage.cached) cached), \(usage.tokensIn + usage.tokensOut) tokens"
        if usage.costKnown { line += ", $\(format(usage.cost, digits: 4))" }
        printError(line)
    }

    func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}

func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

func baseName(_ path: String) -> String {
    path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
}
