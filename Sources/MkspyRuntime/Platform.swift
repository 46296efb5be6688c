// All libc access of the runtime bridge lives here: processes, pipes, the Unix socket of the
// runtime server, and the file-system calls of setting the runtime up. The rest of MkspyRuntime
// calls these functions and imports no C library.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import MkspyCore

/// The text of the last system call's error.
func errorText() -> String { String(cString: strerror(errno)) }

// MARK: Files and directories

func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 && !isDirectory(path) }

func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// A directory of ours, made if missing, that nobody else can enter; false otherwise.
func isPrivateDirectory(_ path: String) -> Bool {
    mkdir(path, 0o700)
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR && info.st_uid == getuid() && info.st_mode & 0o077 == 0
}

/// The names in a directory, sorted; empty when it cannot be read.
func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names = [String]()
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// Makes `path` and its parents; the error names the part that could not be made.
func makeDirectories(_ path: String) throws(RuntimeError) {
    var prefix = ""
    for part in path.split(separator: "/") {
        prefix += "/" + part
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw RuntimeError("cannot create \(prefix): \(errorText()); set XDG_CACHE_HOME to a writable directory")
        }
    }
}

/// Creates (or truncates) an empty file; false when it cannot.
func touch(_ path: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    close(fd)
    return true
}

/// The path of this process's executable.
var executablePath: String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

var userID: UInt32 { UInt32(getuid()) }

/// Opens (creating) and locks `path` exclusively, waiting for another process that holds it
/// (`waiting` is called first); the descriptor to give `unlockFile`.
func lockFile(_ path: String, waiting: () -> Void) throws(RuntimeError) -> Int32 {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw RuntimeError("cannot create \(path): \(errorText())") }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
        waiting()
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    }
    return fd
}

func unlockFile(_ fd: Int32) {
    _ = flock(fd, LOCK_UN)
    close(fd)
}

// MARK: Processes

/// Runs a command and waits for it; its stdout and stderr go to our stderr (never our stdout,
/// which carries records), or to the file `log`. Returns the exit status, or 127 when it could
/// not start.
func run(_ argv: [String], log: String?) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let log {
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
    } else {
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { for p in cArgs { free(p) } }
    var pid = pid_t()
    StandardOutput.flush()
    guard posix_spawnp(&pid, argv[0], &actions, nil, &cArgs, environ) == 0 else { return 127 }
    return wait(for: pid)
}

/// Waits for a child process; its exit status (128 + the signal when killed).
@discardableResult
func wait(for pid: Int32) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS, spelled out: the macros are not imported into Swift.
    return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
}

/// Starts `argv` with a pipe to its stdin and one from its stdout, and `stderr` as its stderr:
/// (our read end, our write end, its pid), or nil.
func spawnWithPipes(_ argv: [String], stderr: Int32) -> (read: Int32, write: Int32, pid: Int32)? {
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
    return (up[0], down[1], pid)
}

/// This process's environment.
func environmentVariables() -> JSONObject {
    var env = JSONObject()
    var entry = environ
    while let pointer = entry.pointee {
        let text = String(cString: pointer)
        if let equals = text.firstIndex(of: "=") { env[String(text[..<equals])] = .string(String(text[text.index(after: equals)...])) }
        entry += 1
    }
    return env
}

/// Ignores SIGPIPE: a worker that died shows as a failed write and end of output, not as our death.
func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

// MARK: Descriptors

/// `/dev/null` opened for writing (close it with `closeDescriptor`).
func openNullForWriting() -> Int32 { open("/dev/null", O_WRONLY | O_CLOEXEC) }

func closeDescriptor(_ fd: Int32) { close(fd) }

/// Writes all of `bytes`; false when the other end is gone.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 { if errno == EINTR { continue } else { return false } }
        offset += n
    }
    return true
}

/// Reads what is there (up to 64 KiB) onto `buffer`; false at the end of input or on an error.
func readSome(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }
}

/// Ends the writing half of a socket (the other side reads the end of input).
func shutdownWriting(_ fd: Int32) { shutdown(fd, Int32(SHUT_WR)) }

// MARK: The runtime server's socket

/// A connected Unix stream socket to `path`, or nil.
func connectUnixSocket(_ path: String) -> Int32? {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
    }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else { close(fd); return nil }
    return fd
}

/// Reads on `socket` give up after `seconds` (0: never).
func setReceiveTimeout(_ socket: Int32, seconds: Int) {
    var wait = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
}

/// Sends one byte (a newline, which the session's JSON Lines reader skips) carrying `fd`.
func sendDescriptor(_ fd: Int32, on socket: Int32) -> Bool {
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
