import MkspyCore
import MkspyRuntime

/// What the reflection LM is asked for one module: a better instruction from traces with feedback.
public struct ReflectionRequest: Sendable {
    public let module: String
    public let instruction: String
    /// `{task, module, instruction, inputs, outputs, examples: [{inputs, outputs, score, feedback}]}`.
    public let json: JSON
}

/// Runs a batch of reflection requests and returns one new instruction (or nil) per request.
public typealias Reflector = ([ReflectionRequest]) -> [String?]

/// A reflector that runs `share/mkspy/worker/reflect.py` (a DSPy signature) in a session of
/// the DSPy runtime, all requests at once and in parallel. A failure leaves every answer nil
/// and says why on stderr.
public func pythonReflector(lm: LMConfig, jobs: Int, cache: String, quiet: Bool) -> Reflector {
    return { requests in
        guard !requests.isEmpty else { return [] }
        let session: RuntimeSession
        do throws(RuntimeError) {
            session = try RuntimeSession.open(["op": "reflect", "lm": lm.json, "jobs": .int(jobs), "cache_dir": .string(cache)], quiet: quiet)
        } catch {
            printError("mkspy-evolve: reflection skipped: \(error.message)")
            return requests.map { _ in nil }
        }
        for request in requests { session.send(request.json) }
        session.closeInput()
        var answers = [String?](repeating: nil, count: requests.count)
        var answered = 0
        // Done at the last answer: the session's exit (tearing a DSPy process down) is not waited for.
        while answered < requests.count, let json = session.next() {
            guard let i = json["index"]?.intValue, answers.indices.contains(i) else { continue }
            answered += 1
            if let text = json["instruction"]?.stringValue { answers[i] = text }
            if let message = json["error"]?.stringValue, !quiet { printError("mkspy-evolve: reflection on \(requests[i].module): \(message)") }
        }
        session.finish()
        if answered < requests.count {
            printError("mkspy-evolve: reflection failed: the runtime answered \(answered) of \(requests.count) requests; children fall back to demos and strategy changes")
        }
        return answers
    }
}
