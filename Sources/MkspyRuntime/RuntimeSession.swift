// A session with the DSPy runtime (share/mkspy/worker/worker.py), spoken in JSON Lines.
// Importing DSPy takes over a second, so by default one runtime server per user and Python
// keeps it imported between runs: each session is a process forked from it, reached over a
// Unix socket. MKSPY_RUNTIME_IDLE=0, or a server that cannot be reached, gives a worker
// process of the session's own instead; both speak the same protocol.
#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import MkspyCore

public final class RuntimeSession {
    private let readFD: Int32
    /// The same descriptor as `readFD` for a socket.
    private let writeFD: Int32
    /// The worker process of a session without the server.
    private let pid: pid_t?
    private var buffer: [UInt8] = []
    private var position = 0
    private var inputClosed = false
    private var finished = false

    private init(readFD: Int32, writeFD: Int32, pid: pid_t?) { self.readFD = readFD; self.writeFD = writeFD; self.pid = pid }

    /// Opens a session and sends its first line (`{"op": "config", …}` for scoring, `{"op":
    /// "reflect", …}` for reflection). The worker's stderr is ours, or nothing when `quiet`.
    public static func open(_ first: JSON, quiet: Bool) throws(RuntimeError) -> RuntimeSession {
        let python = try PythonEnvironment.python(progress: !quiet)
        let (server, script) = try runtimeServer(python)
        let errors = quiet ? Glibc.open("/dev/null", O_WRONLY | O_CLOEXEC) : 2
        defer { if quiet { close(errors) } }
        if let session = server.connect(first, stderr: errors, quiet: quiet) { return session }
        guard let session = spawn([python, script], stderr: errors) else {
            throw RuntimeError("cannot start \(python) \(script): \(PythonEnvironment.errorText())")
        }
        session.send(first)
        return session
    }

    /// A session with a runtime server that is already listening, or nil: nothing is set up,
    /// started or spawned. For a session opened ahead of need, while the input is still coming.
    public static func openIfRunning(_ first: JSON, quiet: Bool) -> RuntimeSession? {
        guard let python = PythonEnvironment.readyPython(), let (server, _) = try? runtimeServer(python) else { return nil }
        let errors = quiet ? Glibc.open("/dev/null", O_WRONLY | O_CLOEXEC) : 2
        defer { if quiet { close(errors) } }
        return server.connectIfListening(first, stderr: errors)
    }

    private static func runtimeServer(_ python: String) throws(RuntimeError) -> (RuntimeServer, script: String) {
        signal(SIGPIPE, SIG_IGN)  // a worker that died shows as a failed write and end of output, not as our death
        let script = PythonEnvironment.shareDirectory + "/worker/worker.py"
        guard let code = readFile(script), let reflect = readFile(PythonEnvironment.shareDirectory + "/worker/reflect.py") else {
            throw RuntimeError("cannot read \(script) and reflect.py beside it; set MKSPY_SHARE to the share/mkspy directory of your mkspy installation")
        }
        return (RuntimeServer(python: python, script: script, code: code + reflect), script)
    }

    /// The descriptor responses arrive on, for waiting on it with others.
    public var descriptor: Int32 { readFD }

    /// Whether a whole response is already read, so that `next()` will not wait.
    public var hasBufferedResponse: Bool { buffer[position...].contains(0x0A) }

    /// Writes one request; a worker that is gone shows as the end of its output.
    public func send(_ request: JSON) {
        guard !inputClosed else { return }
        let bytes = request.encoded + [0x0A]
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBufferPointer { write(writeFD, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue } else { return } }
            offset += n
        }
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
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBufferPointer { read(readFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Tells the worker that no more requests come; it answers what it has, then ends.
    public func closeInput() {
        guard !inputClosed else { return }
        inputClosed = true
        if writeFD == readFD { shutdown(writeFD, Int32(SHUT_WR)) } else { close(writeFD) }
    }

    /// Ends the session. A worker process of its own is waited for; a server's session
    /// finishes by itself, since what it writes besides its answers (the log) precedes them.
    public func finish() {
        guard !finished else { return }
        finished = true
        closeInput()
        close(readFD)
        if let pid {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    deinit { finish() }

    /// A worker process of this session's own, on pipes.
    static func spawn(_ argv: [String], stderr: Int32) -> RuntimeSession? {
        var down: [Int32] = [0, 0], up: [Int32] = [0, 0]
        guard pipe(&down) == 0 else { return nil }
        guard pipe(&up) == 0 else { close(down[0]); close(down[1]); return nil }
        for fd in down + up { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // only the dup2'ed copies reach the worker
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, down[0], 0)
        posix_spawn_file_actions_adddup2(&actions, up[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ) == 0
        close(down[0])
        close(up[1])
        guard spawned else { close(down[1]); close(up[0]); return nil }
        return RuntimeSession(readFD: up[0], writeFD: down[1], pid: pid)
    }

    /// A session on a connected socket, once the server has forked it: a line with our
    /// environment and working directory, our stderr passed along, then the session's first line.
    static func greet(_ socket: Int32, _ first: JSON, stderr: Int32) -> RuntimeSession? {
        var env = JSONObject()
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { env[String(text[..<equals])] = .string(String(text[text.index(after: equals)...])) }
            entry += 1
        }
        let hello: JSON = ["env": .object(env), "cwd": .string(absolutePath("."))]
        let session = RuntimeSession(readFD: socket, writeFD: socket, pid: nil)
        guard sendDescriptor(stderr, on: socket) else { return nil }
        session.send(hello)
        session.send(first)
        // The answer comes at once from a live server; one stuck or exiting gives up the session.
        var wait = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        guard session.next()?["op"]?.stringValue == "session" else { return nil }
        wait = timeval(tv_sec: 0, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        return session
    }

    /// Sends one byte (a newline, which the session's JSON Lines reader skips) carrying `fd`.
    static func sendDescriptor(_ fd: Int32, on socket: Int32) -> Bool {
        // CMSG_SPACE / CMSG_LEN spelled out: the macros are not imported into Swift.
        let align = MemoryLayout<Int>.size
        func aligned(_ n: Int) -> Int { (n + align - 1) & ~(align - 1) }
        let header = aligned(MemoryLayout<cmsghdr>.size)
        var control = [UInt8](repeating: 0, count: header + aligned(MemoryLayout<Int32>.size))
        control.withUnsafeMutableBytes { raw in
            var cmsg = cmsghdr()
            cmsg.cmsg_len = header + MemoryLayout<Int32>.size
            cmsg.cmsg_level = SOL_SOCKET
            cmsg.cmsg_type = Int32(SCM_RIGHTS)
            raw.storeBytes(of: cmsg, as: cmsghdr.self)
            raw.storeBytes(of: fd, toByteOffset: header, as: Int32.self)
        }
        var byte: UInt8 = 0x0A
        return withUnsafeMutablePointer(to: &byte) { bytePointer in
            var vector = iovec(iov_base: UnsafeMutableRawPointer(bytePointer), iov_len: 1)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                control.withUnsafeMutableBytes { raw in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = raw.baseAddress
                    message.msg_controllen = raw.count
                    return sendmsg(socket, &message, Int32(MSG_NOSIGNAL)) == 1
                }
            }
        }
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
        let path = environment("XDG_RUNTIME_DIR").flatMap { $0.hasPrefix("/") ? $0 + "/mkspy" : nil } ?? "/tmp/mkspy-\(getuid())"
        mkdir(path, 0o700)
        var info = stat()
        guard path.utf8.count < 80, lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(),
              info.st_mode & 0o077 == 0 else { return nil }
        return path
    }

    /// A session with the server, started first if none listens; nil when there is none to have.
    func connect(_ first: JSON, stderr: Int32, quiet: Bool) -> RuntimeSession? {
        if let session = connectIfListening(first, stderr: stderr) { return session }
        guard idle > 0, let path = socketPath,
              PythonEnvironment.run([python, script, "--serve", path, String(idle)], log: quiet ? "/dev/null" : nil) == 0 else { return nil }
        return attempt(path, first, stderr: stderr)
    }

    /// A session with the server if one listens; nil otherwise.
    func connectIfListening(_ first: JSON, stderr: Int32) -> RuntimeSession? {
        guard idle > 0, let path = socketPath else { return nil }
        return attempt(path, first, stderr: stderr)
    }

    private func attempt(_ path: String, _ first: JSON, stderr: Int32) -> RuntimeSession? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { close(fd); return nil }
        return RuntimeSession.greet(fd, first, stderr: stderr)  // on failure its session closes fd
    }
}
