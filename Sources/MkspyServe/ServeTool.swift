import MkspyCore
import MkspyRuntime

/// mkspy-serve: optimization jobs over HTTP. The server is a FastAPI app run by uvicorn in the
/// pinned runtime (share/mkspy/serve/mkspy_serve); this checks the command line, sets the runtime
/// up on first use, and execs it. Each job is the make loop of share/mkspy/mkspy.mk.
public enum ServeTool {
    public static let command = CommandSpec(tool: "mkspy-serve", help: """
        usage: mkspy-serve [--host ADDR] [--port N] [--dir DIR] [-j N] [-q]

        Serve optimization jobs over HTTP: POST /jobs with a spec or program, data, a budget
        and LM model strings; each job runs the mkspy loop (share/mkspy/mkspy.mk) in its own
        run directory under DIR, and its events, status and artifacts are read over HTTP.
        The URL it listens on is the first line on standard output.

          --host ADDR            address to listen on (default 127.0.0.1); any address but
                                 loopback needs MKSPY_SERVE_TOKEN, sent as a bearer token
          --port N               port (default 8000; 0: a free port, printed)
          --dir DIR              the jobs' run directories (default ./mkspy-jobs); jobs that
                                 were running when the server stopped resume from them
          -j, --jobs N           jobs that run at once (default 1); the rest wait, queued
          -q, --quiet            no request log on standard error
          -h, --help             show this help
          --version              show the version

        Keys come from the server's environment only (MKSPY_LM_KEY, the provider's variable):
        a job that carries a key field is refused. Exit status: 2 usage error (also: a
        non-loopback address without MKSPY_SERVE_TOKEN), 3 the runtime cannot be set up.
        See mkspy-serve(1).

        """, options: [
            .init("--host", value: true), .init("--port", value: true), .init("--dir", value: true),
            .init("-j", "--jobs", value: true), .init("-q", "--quiet"),
        ])

    public static func main(_ argv: [String]) -> Never {
        let arguments = Arguments.parse(argv, command)
        let port: Int, jobs: Int
        do throws(UsageError) {
            guard arguments.operands.isEmpty else { throw UsageError("no operands are taken, got '\(arguments.operands[0])'") }
            port = try arguments.integer("--port", minimum: 0) ?? 8000
            guard port <= 65535 else { throw UsageError("--port needs an integer from 0 to 65535, got \(port)") }
            jobs = try arguments.integer("--jobs", minimum: 1) ?? 1
        } catch {
            printError("mkspy-serve: \(error.message)")
            exit(.usage)
        }
        let quiet = arguments.flag("--quiet")
        let python: String
        do {
            python = try PythonEnvironment.python(progress: !quiet)
        } catch {
            printError("mkspy-serve: \(error.message)")
            exit(.cannotProceed)
        }
        let share = PythonEnvironment.shareDirectory
        var directory = arguments.value("--dir") ?? "mkspy-jobs"
        if !directory.hasPrefix("/") { directory = workingDirectory + "/" + directory }
        let path = environment("PYTHONPATH").map { ":" + $0 } ?? ""
        setEnvironment("PYTHONPATH", share + "/serve" + path)
        var server = [python, "-m", "mkspy_serve", "--host", arguments.value("--host") ?? "127.0.0.1", "--port", String(port),
                      "--dir", directory, "--jobs", String(jobs), "--share", share, "--bin", executableDirectory ?? "."]
        if quiet { server.append("-q") }
        let problem = execute(server)
        printError("mkspy-serve: cannot run \(python): \(problem)")
        exit(.cannotProceed)
    }
}
