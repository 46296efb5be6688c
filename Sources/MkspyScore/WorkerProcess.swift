import Foundation
import MkspyCore

/// The Python scoring worker (share/mkspy/worker/worker.py), driven over its pipes with JSON
/// Lines: one request per line in, one response per line out.
final class WorkerProcess {
    private let process = Process()
    private let input: FileHandle
    private let output: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0

    /// Starts the worker, sends its configuration and waits for `ready`; the error says why
    /// it could not start.
    init(python: String, script: String, config: JSON, quiet: Bool) throws(RuntimeFailure) {
        signal(SIGPIPE, SIG_IGN)  // a worker that died shows as a failed write and end of output, not as our death
        let stdin = Pipe(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script]
        process.standardInput = stdin
        process.standardOutput = stdout
        if quiet { process.standardError = FileHandle.nullDevice }
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        do { try process.run() } catch {
            throw RuntimeFailure("cannot start the scoring worker with \(python): \(error.localizedDescription)")
        }
        send(config)
        guard let ready = next() else {
            throw RuntimeFailure("the scoring worker (\(python) \(script)) exited before it was ready; is dspy installed in that Python?")
        }
        guard ready["op"]?.stringValue == "ready" else {
            throw RuntimeFailure("the scoring worker answered \(ready.text) instead of ready")
        }
    }

    /// Writes one request.
    func send(_ request: JSON) {
        var bytes = request.encoded
        bytes.append(0x0A)
        do { try input.write(contentsOf: bytes) } catch {}  // a dead worker shows as end of output
    }

    /// The next response; nil when the worker has exited.
    func next() -> JSON? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                let line = Array(buffer[position..<newline])
                position = newline + 1
                if let value = try? JSON.parse(line) { return value }
                continue
            }
            if position > 0 { buffer.removeFirst(position); position = 0 }
            let data = output.availableData
            if data.isEmpty { return nil }
            buffer.append(contentsOf: data)
        }
    }

    /// Closes the worker's input and waits for it to exit.
    func finish() {
        try? input.close()
        process.waitUntilExit()
    }
}

/// Why the run cannot proceed (exit status 3).
public struct RuntimeFailure: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
