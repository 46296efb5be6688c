// The pinned Python environment with DSPy that the tools share. Libc only (no Foundation):
// spawning, file locks and paths are a few system calls each.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import MkspyCore

/// Why the DSPy runtime cannot be used; the message says what to do. Tools that need the
/// runtime print it and exit 3.
public struct RuntimeError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// The Python that runs generated programs: `MKSPY_PYTHON` when set, else a virtual
/// environment built on first use from `share/mkspy/runtime/requirements.txt` (DSPy 3.4.1
/// and its whole dependency set, pinned) in `$XDG_CACHE_HOME/mkspy` or `~/.cache/mkspy`,
/// one per hash of that file. A file lock keeps concurrent tools from building it twice.
public enum PythonEnvironment {
    /// The Python to run when it needs no setup (`MKSPY_PYTHON`, or the runtime already built);
    /// nil otherwise. Changes nothing.
    public static func readyPython() -> String? {
        if let python = environment("MKSPY_PYTHON") { return executable(python) }
        guard let lock = readFile(shareDirectory + "/runtime/requirements.txt") else { return nil }
        let (venv, python) = runtimePaths(lock)
        return exists("\(venv)/.mkspy-ready") && access(python, X_OK) == 0 ? python : nil
    }

    /// The runtime's virtual environment and its Python, named by a hash of the pinned requirements.
    static func runtimePaths(_ requirements: [UInt8]) -> (venv: String, python: String) {
        let venv = "\(cacheDirectory)/venv-\(shortHash(requirements))"
        return (venv, "\(venv)/bin/python")
    }

    /// The path of the Python executable to run, setting up the runtime first if needed
    /// (minutes, once; with `progress`, pip's output goes to stderr).
    public static func python(progress: Bool) throws(RuntimeError) -> String {
        if let python = environment("MKSPY_PYTHON") {
            guard let path = executable(python) else {
                throw RuntimeError("MKSPY_PYTHON is '\(python)', which is not an executable file; point it at a Python that has dspy==3.4.1 installed, or unset it to let mkspy set up its own runtime")
            }
            return path
        }
        if let python = readyPython() { return python }
        let requirements = shareDirectory + "/runtime/requirements.txt"
        guard let lock = readFile(requirements) else {
            throw RuntimeError("cannot read \(requirements); set MKSPY_SHARE to the share/mkspy directory of your mkspy installation, or MKSPY_PYTHON to a Python that has dspy==3.4.1 installed")
        }
        let (venv, python) = runtimePaths(lock)
        let ready = "\(venv)/.mkspy-ready"
        let cache = cacheDirectory

        try makeDirectories(cache)
        let lockPath = "\(venv).lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RuntimeError("cannot create \(lockPath): \(errorText()); check that \(cache) is writable, or set XDG_CACHE_HOME") }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if progress { printError("mkspy: waiting for another mkspy tool to finish setting up the DSPy runtime in \(venv)") }
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        defer { _ = flock(fd, LOCK_UN) }
        if exists(ready), access(python, X_OK) == 0 { return python }

        let base = try basePython()
        if progress { printError("mkspy: setting up the DSPy runtime in \(venv) with \(base) (first use only; this takes a few minutes)") }
        let log = "\(venv).log"
        _ = run(["/bin/rm", "-rf", venv], log: nil)
        var status = run([base, "-m", "venv", venv], log: progress ? nil : log)
        guard status == 0 else {
            throw RuntimeError("'\(base) -m venv \(venv)' failed (status \(status)\(progress ? "" : ", see \(log)")); install Python's venv module (e.g. apt-get install python3-venv), or set MKSPY_PYTHON to a Python that has dspy==3.4.1 installed")
        }
        var pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r", requirements]
        if !progress { pip.insert("-q", at: 4) }
        status = run(pip, log: progress ? nil : log)
        guard status == 0 else {
            throw RuntimeError("installing the DSPy runtime with pip failed (status \(status)\(progress ? "" : ", see \(log)")); check the network connection and run the tool again, or set MKSPY_PYTHON to a Python that has dspy==3.4.1 installed")
        }
        let marker = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard marker >= 0 else { throw RuntimeError("cannot write \(ready): \(errorText())") }
        close(marker)
        if progress { printError("mkspy: the DSPy runtime is ready") }
        return python
    }

    /// The `share/mkspy` directory: `MKSPY_SHARE`, else the first `share/mkspy` found
    /// above the executable (`<prefix>/bin/../share/mkspy`, or the package root above
    /// `.build/<triple>/<config>/`), else `./share/mkspy`.
    public static var shareDirectory: String {
        if let share = environment("MKSPY_SHARE") { return share }
        var directory = executablePath.map(parent) ?? "."
        for _ in 0..<5 {
            directory = parent(directory)
            let candidate = directory + "/share/mkspy"
            if isDirectory(candidate) { return candidate }
        }
        return absolutePath(".") + "/share/mkspy"
    }

    /// The directory of DSPy's LM cache: `flag` (`--cache DIR`) made absolute, else
    /// `lm-cache` in mkspy's cache directory. mkspy-score and mkspy-evolve's reflection share it.
    public static func lmCache(_ flag: String?) -> String {
        guard let flag else { return cacheDirectory + "/lm-cache" }
        return flag.hasPrefix("/") ? flag : absolutePath(".") + "/" + flag
    }

    /// `$XDG_CACHE_HOME/mkspy`, else `~/.cache/mkspy`.
    static var cacheDirectory: String {
        if let cache = environment("XDG_CACHE_HOME"), cache.hasPrefix("/") { return cache + "/mkspy" }
        return (environment("HOME") ?? "/tmp") + "/.cache/mkspy"
    }

    /// The first of python3, python3.13 … python3.10 on PATH that is Python 3.10 or later.
    static func basePython() throws(RuntimeError) -> String {
        for name in ["python3", "python3.13", "python3.12", "python3.11", "python3.10"] {
            guard let path = executable(name) else { continue }
            if run([path, "-c", "import sys, venv; sys.exit(0 if sys.version_info >= (3, 10) else 1)"], log: "/dev/null") == 0 {
                return path
            }
        }
        throw RuntimeError("the DSPy runtime needs Python 3.10 or later with the venv module, and none was found on PATH; install one (e.g. apt-get install python3 python3-venv), or set MKSPY_PYTHON to a Python that has dspy==3.4.1 installed")
    }

    // MARK: System calls

    static var executablePath: String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// A path as given when it contains a slash, else found on PATH; nil unless executable.
    static func executable(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 && !isDirectory(name) ? name : nil }
        for directory in (environment("PATH") ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if access(path, X_OK) == 0, !isDirectory(path) { return path }
        }
        return nil
    }

    static func makeDirectories(_ path: String) throws(RuntimeError) {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw RuntimeError("cannot create \(prefix): \(errorText()); set XDG_CACHE_HOME to a writable directory")
            }
        }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Runs a command and waits for it; its stdout and stderr go to our stderr (never our
    /// stdout, which carries records), or to the file `log`. Returns the exit status, or
    /// 127 when it could not start.
    static func run(_ argv: [String], log: String?) -> Int32 {
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
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, spelled out: the macros are not imported into Swift.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
