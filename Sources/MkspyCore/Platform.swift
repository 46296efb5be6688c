// All libc access lives here, in one Foundation-free file: Swift 6 treats the C globals
// `stdout`/`stderr` as shared mutable state, so they are touched only through these helpers.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The exit statuses of DESIGN.md.
public enum ExitCode: Int32, Sendable, Comparable {
    /// Every record was processed cleanly.
    case success = 0
    /// Some record or input had errors; they were still written as data.
    case recordErrors = 1
    /// Bad flags or an unreadable file.
    case usage = 2
    /// The run could not proceed: runtime missing, LM unreachable, budget exhausted first.
    case cannotProceed = 3

    public static func < (a: ExitCode, b: ExitCode) -> Bool { a.rawValue < b.rawValue }
}

/// Ends the process with `code` after flushing standard output.
public func exit(_ code: ExitCode) -> Never {
    StandardOutput.flush()
    if code == .success && StandardOutput.failed { Glibc.exit(ExitCode.recordErrors.rawValue) }
    Glibc.exit(code.rawValue)
}

/// A closed pipe must surface as EPIPE, not kill the process: set once, before any write.
private let brokenPipesAreErrors: Void = { signal(SIGPIPE, SIG_IGN); return () }()

/// Whether a progress line is drawn on the terminal without its newline yet.
nonisolated(unsafe) private var lineDrawn = false

/// Writes a line to standard error at once (diagnostics, progress), control characters
/// escaped, below a progress line being redrawn, which it clears first.
public func printError(_ line: String) {
    brokenPipesAreErrors
    var bytes = Array(((lineDrawn ? "\r\u{1B}[K" : "") + escapingControlCharacters(line)).utf8)
    lineDrawn = false
    bytes.append(0x0A)
    bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stderr) }
    fflush(stderr)
}

/// Writes text to standard error at once, as it is (a progress line redrawn in place).
public func writeError(_ text: String) {
    brokenPipesAreErrors
    let bytes = Array(text.utf8)
    lineDrawn = !text.hasSuffix("\n")
    bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stderr) }
    fflush(stderr)
}

/// Whether standard error is a terminal (progress may then be redrawn in place).
public var standardErrorIsTerminal: Bool { isatty(2) == 1 }

/// The one buffered path to standard output. A closed pipe (`| head -1`) ends the process
/// quietly with status 0; any other failed write makes the exit status non-zero.
public enum StandardOutput {
    nonisolated(unsafe) private static var buffer: [UInt8] = {
        brokenPipesAreErrors
        var b = [UInt8](); b.reserveCapacity(1 << 16); return b
    }()
    nonisolated(unsafe) fileprivate(set) static var failed = false
    private static let lock = Mutex()

    /// Appends bytes; flushes when the buffer is large.
    public static func write(_ bytes: some Collection<UInt8>) {
        lock.locked {
            buffer.append(contentsOf: bytes)
            if buffer.count >= 1 << 16 { flushLocked() }
        }
    }

    /// Writes out everything buffered.
    public static func flush() { lock.locked { flushLocked() } }

    private static func flushLocked() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBufferPointer { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { Glibc.exit(0) }
                failed = true
                printError("error: cannot write to standard output (errno \(errno))")
                break
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A small pthread mutex; the writer may be called from worker threads.
final class Mutex: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// A readable byte source: a file or standard input.
public final class ByteSource {
    /// The name used in diagnostics: the operand, or "-" for standard input.
    public let name: String
    private let fd: Int32

    /// Opens `path` ("-" is standard input); nil with a reason when it cannot be read.
    public static func open(_ path: String) -> Result<ByteSource, InputError> {
        if path == "-" { return .success(ByteSource(name: "-", fd: 0)) }
        let fd = Glibc.open(path, O_RDONLY)
        if fd < 0 { return .failure(InputError(path: path, reason: String(cString: strerror(errno)))) }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            return .failure(InputError(path: path, reason: "is a directory"))
        }
        return .success(ByteSource(name: path, fd: fd))
    }

    private init(name: String, fd: Int32) { self.name = name; self.fd = fd }
    deinit { if fd > 0 { close(fd) } }

    /// The descriptor read, for waiting on it with others (see `waitReadable`).
    public var descriptor: Int32 { fd }

    /// Whether a read would return at once (data, or the end of the input).
    public var isReady: Bool { waitReadable([fd], timeoutMS: 0)[0] }

    /// Reads up to `count` bytes onto the end of `buffer`; returns the number read, 0 at the end.
    /// Standard output is flushed first when the read would wait: in a pipeline, what this tool
    /// has written reaches the next one while this one waits for more.
    func read(into buffer: inout [UInt8], count: Int) -> Int {
        if !isReady { StandardOutput.flush() }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        var n = -1
        while n < 0 {
            n = buffer.withUnsafeMutableBufferPointer { Glibc.read(fd, $0.baseAddress! + start, count) }
            if n < 0 && errno != EINTR { n = 0 }
        }
        buffer.removeLast(count - n)
        return n
    }
}

/// Which of `fds` can be read without waiting (data or end of file), once one can or the
/// timeout (milliseconds; -1: none) has passed.
public func waitReadable(_ fds: [Int32], timeoutMS: Int32 = -1) -> [Bool] {
    var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    while poll(&polls, nfds_t(polls.count), timeoutMS) < 0 && errno == EINTR {}
    return polls.map { $0.revents != 0 }
}

/// Why an input could not be opened.
public struct InputError: Error, Sendable {
    public let path: String
    public let reason: String
    public var message: String { "\(path): \(reason)" }
}

/// Reads a whole file as bytes; nil when it cannot be read.
public func readFile(_ path: String) -> [UInt8]? {
    guard case .success(let source) = ByteSource.open(path) else { return nil }
    var bytes = [UInt8]()
    while source.read(into: &bytes, count: 1 << 16) > 0 {}
    return bytes
}

/// The value of an environment variable, if set and non-empty.
public func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}

/// The absolute, symlink-free form of a path; the path itself when it cannot be resolved.
public func absolutePath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
