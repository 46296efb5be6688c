// A session with the DSPy runtime (share/mkspy/worker/worker.py), spoken in JSON Lines.
// Importing DSPy takes over a second, so by default one runtime server per user and Python
// keeps it imported between runs: each session is a process forked from it, reached over a
// Unix socket. MKSPY_RUNTIME_IDLE=0, or a server that cannot be reached, gives a worker
// process of the session's own instead; both speak the same protocol.
import MkspyCore

public final class RuntimeSession {
    private let readFD: Int32
    /// The same descriptor as `readFD` for a socket.
    private let writeFD: Int32
    /// The worker process of a session without the server.
    private let pid: Int32?
    private var buffer: [UInt8] = []
    private var position = 0
    private var inputClosed = false
    private var finished = false

    private init(readFD: Int32, writeFD: Int32, pid: Int32?) { self.readFD = readFD; self.writeFD = writeFD; self.pid = pid }

    /// Opens a session and sends its first line (`{"op": "config", …}` for scoring, `{"op":
    /// "reflect", …}` for reflection). The worker's stderr is ours, or nothing when `quiet`.
    public static func open(_ first: JSON, quiet: Bool) throws(RuntimeError) -> RuntimeSession {
        let python = try PythonEnvironment.python(progress: !quiet)
        let (server, script) = try runtimeServer(python)
        let errors = quiet ? openNullForWriting() : 2
        defer { if quiet { closeDescriptor(errors) } }
        if let session = server.connect(first, stderr: errors, quiet: quiet) { return session }
        guard let session = spawn([python, script], stderr: errors) else {
            throw RuntimeError("cannot start \(python) \(script): \(errorText())")
        }
        session.send(first)
        return session
    }

    /// A session with a runtime server that is already listening, or nil: nothing is set up,
    /// started or spawned. For a session opened ahead of need, while the input is still coming.
    public static func openIfRunning(_ first: JSON, quiet: Bool) -> RuntimeSession? {
        guard let python = PythonEnvironment.readyPython(), let (server, _) = try? runtimeServer(python) else { return nil }
        let errors = quiet ? openNullForWriting() : 2
        defer { if quiet { closeDescriptor(errors) } }
        return server.connectIfListening(first, stderr: errors)
    }

    private static func runtimeServer(_ python: String) throws(RuntimeError) -> (RuntimeServer, script: String) {
        ignoreBrokenPipes()
        let script = PythonEnvironment.shareDirectory + "/worker/worker.py"
        let package = PythonEnvironment.shareDirectory + "/worker/mkspy_worker"
        let modules = directoryEntries(package).filter { $0.hasSuffix(".py") }.map { package + "/" + $0 }
        guard let code = readFile(script), !modules.isEmpty else {
            throw RuntimeError("cannot read \(script) and the package mkspy_worker beside it; set MKSPY_SHARE to the share/mkspy directory of your mkspy installation")
        }
        // The server's name covers all of its code: a changed worker gets a server of its own.
        let all = modules.reduce(code) { bytes, path in bytes + Array(path.utf8) + (readFile(path) ?? []) }
        return (RuntimeServer(python: python, script: script, code: all), script)
    }

    /// The descriptor responses arrive on, for waiting on it with others.
    public var descriptor: Int32 { readFD }

    /// Whether a whole response is already read, so that `next()` will not wait.
    public var hasBufferedResponse: Bool { buffer[position...].contains(0x0A) }

    /// Writes one request; a worker that is gone shows as the end of its output.
    public func send(_ request: JSON) {
        guard !inputClosed else { return }
        _ = writeAll(writeFD, request.encoded + [0x0A])
    }

    /// The next response; nil at the end of the worker's output.
    public func next() -> JSON? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                let line = Array(buffer[position..<newline])
                position = newline + 1
                if let value = try? JSON.parse(line) { return value }
                continue
            }
            if position > 0 { buffer.removeFirst(position); position = 0 }
            guard readSome(readFD, into: &buffer) else { return nil }
        }
    }

    /// Tells the worker that no more requests come; it answers what it has, then ends.
    public func closeInput() {
        guard !inputClosed else { return }
        inputClosed = true
        if writeFD == readFD { shutdownWriting(writeFD) } else { closeDescriptor(writeFD) }
    }

    /// Ends the session. A worker process of its own is waited for; a server's session
    /// finishes by itself, since what it writes besides its answers (the log) precedes them.
    public func finish() {
        guard !finished else { return }
        finished = true
        closeInput()
        closeDescriptor(readFD)
        if let pid { wait(for: pid) }
    }

    deinit { finish() }

    /// A worker process of this session's own, on pipes.
    static func spawn(_ argv: [String], stderr: Int32) -> RuntimeSession? {
        guard let (read, write, pid) = spawnWithPipes(argv, stderr: stderr) else { return nil }
        return RuntimeSession(readFD: read, writeFD: write, pid: pid)
    }

    /// A session on a connected socket, once the server has forked it: a line with our
    /// environment and working directory, our stderr passed along, then the session's first line.
    static func greet(_ socket: Int32, _ first: JSON, stderr: Int32) -> RuntimeSession? {
        let hello: JSON = ["env": .object(environmentVariables()), "cwd": .string(absolutePath("."))]
        let session = RuntimeSession(readFD: socket, writeFD: socket, pid: nil)
        guard sendDescriptor(stderr, on: socket) else { return nil }
        session.send(hello)
        session.send(first)
        // The answer comes at once from a live server; one stuck or exiting gives up the session.
        setReceiveTimeout(socket, seconds: 10)
        guard session.next()?["op"]?.stringValue == "session" else { return nil }
        setReceiveTimeout(socket, seconds: 0)
        return session
    }
}

/// The runtime server for one Python and one version of the worker: a Unix socket in a private
/// directory, named by a hash of both and of the environment read when DSPy is imported.
struct RuntimeServer {
    let python: String
    let script: String
    /// Seconds the server waits for a session before it exits; 0: no server.
    let idle: Int
    let socketPath: String?

    init(python: String, script: String, code: [UInt8]) {
        self.python = python
        self.script = script
        idle = environment("MKSPY_RUNTIME_IDLE").flatMap { Int($0) } ?? 300
        var key = Array(python.utf8) + [0] + code
        for name in ["LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_LOG", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy",
                     "https_proxy", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "PYTHONPATH"] {
            key += Array("\(name)=\(environment(name) ?? "")".utf8) + [0]
        }
        let hash = shortHash(key, digits: 12)
        socketPath = RuntimeServer.directory.map { "\($0)/runtime-\(hash).sock" }
    }

    /// `$XDG_RUNTIME_DIR/mkspy`, else `/tmp/mkspy-UID`: made if missing; nil unless it is a
    /// directory of ours that nobody else can enter, with room for a socket name.
    static var directory: String? {
        let path = environment("XDG_RUNTIME_DIR").flatMap { $0.hasPrefix("/") ? $0 + "/mkspy" : nil } ?? "/tmp/mkspy-\(userID)"
        return path.utf8.count < 80 && isPrivateDirectory(path) ? path : nil
    }

    /// A session with the server, started first if none listens; nil when there is none to have.
    func connect(_ first: JSON, stderr: Int32, quiet: Bool) -> RuntimeSession? {
        if let session = connectIfListening(first, stderr: stderr) { return session }
        guard idle > 0, let path = socketPath,
              run([python, script, "--serve", path, String(idle)], log: quiet ? "/dev/null" : nil) == 0 else { return nil }
        return attempt(path, first, stderr: stderr)
    }

    /// A session with the server if one listens; nil otherwise.
    func connectIfListening(_ first: JSON, stderr: Int32) -> RuntimeSession? {
        guard idle > 0, let path = socketPath else { return nil }
        return attempt(path, first, stderr: stderr)
    }

    private func attempt(_ path: String, _ first: JSON, stderr: Int32) -> RuntimeSession? {
        guard let fd = connectUnixSocket(path) else { return nil }
        return RuntimeSession.greet(fd, first, stderr: stderr)  // on failure its session closes fd
    }
}
