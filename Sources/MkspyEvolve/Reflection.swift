import MkspyCore
import MkspyRuntime

/// What the reflection LM is asked for one module: a better instruction from traces with feedback.
public struct ReflectionRequest: Sendable {
    public let module: String
    public let instruction: String
    /// `{task, module, instruction, inputs, outputs, examples: [{inputs, outputs, score, feedback}]}`.
    public let json: JSON
}

/// Runs a batch of reflection requests and hands each answer (a new instruction, or nil) to
/// `answer` with the request's index as soon as it comes, in any order, at most once each. A
/// step writes a child as soon as its reflection and those before it have answered.
public typealias Reflector = (_ requests: [ReflectionRequest], _ answer: (_ index: Int, _ instruction: String?) -> Void) -> Void

/// A reflector that answers the whole batch at once.
public func reflector(answering: @escaping ([ReflectionRequest]) -> [String?]) -> Reflector {
    { requests, answer in
        for (i, instruction) in answering(requests).enumerated() { answer(i, instruction) }
    }
}

/// A reflector that runs `share/mkspy/worker/reflect.py` (a DSPy signature) in a session of
/// the DSPy runtime, all requests at once and in parallel. A failure leaves the answers not
/// given nil and says why on stderr.
public func pythonReflector(lm: LMConfig, jobs: Int, cache: String, quiet: Bool) -> Reflector {
    return { requests, answer in
        guard !requests.isEmpty else { return }
        let session: RuntimeSession
        do throws(RuntimeError) {
            session = try RuntimeSession.open(["op": "reflect", "lm": lm.json, "jobs": .int(jobs), "cache_dir": .string(cache)], quiet: quiet)
        } catch {
            printError("mkspy-evolve: reflection skipped: \(error.message)")
            return
        }
        for request in requests { session.send(request.json) }
        session.closeInput()
        var answered = Set<Int>()
        // Done at the last answer: the session's exit (tearing a DSPy process down) is not waited for.
        while answered.count < requests.count, let json = session.next() {
            guard let i = json["index"]?.intValue, requests.indices.contains(i), answered.insert(i).inserted else { continue }
            if let message = json["error"]?.stringValue, !quiet { printError("mkspy-evolve: reflection on \(requests[i].module): \(message)") }
            answer(i, json["instruction"]?.stringValue)
        }
        session.finish()
        if answered.count < requests.count {
            printError("mkspy-evolve: reflection failed: the runtime answered \(answered.count) of \(requests.count) requests; children fall back to demos and strategy changes")
        }
    }
}
