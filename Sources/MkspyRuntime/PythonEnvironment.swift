// The pinned Python environment with DSPy that the tools share. No Foundation: spawning, file
// locks and paths are a few system calls each (Platform.swift).
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
        return exists("\(venv)/.mkspy-ready") && isExecutable(python) ? python : nil
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
        guard let pins = readFile(requirements) else {
            throw RuntimeError("cannot read \(requirements); set MKSPY_SHARE to the share/mkspy directory of your mkspy installation, or MKSPY_PYTHON to a Python that has dspy==3.4.1 installed")
        }
        let (venv, python) = runtimePaths(pins)
        let ready = "\(venv)/.mkspy-ready"
        let cache = cacheDirectory

        try makeDirectories(cache)
        let lockPath = "\(venv).lock"
        let lock: Int32
        do throws(RuntimeError) {
            lock = try lockFile(lockPath) {
                if progress { printError("mkspy: waiting for another mkspy tool to finish setting up the DSPy runtime in \(venv)") }
            }
        } catch {
            throw RuntimeError("\(error.message); check that \(cache) is writable, or set XDG_CACHE_HOME")
        }
        defer { unlockFile(lock) }
        if exists(ready), isExecutable(python) { return python }

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
        guard touch(ready) else { throw RuntimeError("cannot write \(ready): \(errorText())") }
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

    // MARK: Paths

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// A path as given when it contains a slash, else found on PATH; nil unless executable.
    static func executable(_ name: String) -> String? {
        if name.contains("/") { return isExecutable(name) ? name : nil }
        for directory in (environment("PATH") ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if isExecutable(path) { return path }
        }
        return nil
    }
}
