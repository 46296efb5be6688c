import MkspyCore

/// mkspy-spec: validates task specs, reads DSPy programs, and writes normalized `spec` records.
public enum SpecTool {
    public static let command = CommandSpec(tool: "mkspy-spec", help: """
        usage: mkspy-spec [-q] [--module CLASS] [--metric metric.json] [FILE...]

        Validate task specs and write one normalized spec record per spec:
        {"kind":"spec","id":…,"ok":…,"diagnostics":[…], …normalized spec}.
        Reads FILEs (or stdin; '-' is stdin). A file may hold JSON Lines of specs or
        pretty-printed specs. Records of other kinds pass through unchanged.
        A FILE ending in .py is a DSPy program, read statically (never imported or run):
        its record names the program and lists its named predictors.

          --module CLASS      the program's dspy.Module class (when a .py has several)
          --metric FILE       the metric of .py programs: a JSON object in the form of a
                              spec's "metric"; a python metric's path is relative to FILE
          -q                  do not print diagnostics on stderr
          -h, --help          show this help
          --version           show the version

        Exit status: 0 all specs valid, 1 a spec had errors or a line was not a record,
        2 usage error or unreadable file. See mkspy-spec(1).

        """, options: [.init("-q", "--quiet"), .init("--module", value: true), .init("--metric", value: true)])

    public static func main(_ argv: [String]) -> Never {
        let arguments = Arguments.parse(argv, command)
        let filter = Filter(tool: command.tool)
        filter.quiet = arguments.flag("--quiet")
        let programs = arguments.operands.filter { $0.hasSuffix(".py") }
        if programs.isEmpty, arguments.value("--module") != nil || arguments.value("--metric") != nil {
            usage("--module and --metric apply to a PROGRAM.py operand")
        }
        var metric: Metric?
        if let path = arguments.value("--metric") {
            let read = Metric.read(path)
            if let problem = read.problem { usage(problem) }
            metric = read.metric
        }
        // Every operand must be readable before anything is written.
        var sources = [String: [UInt8]]()
        for path in programs {
            guard let bytes = readFile(path) else { usage("cannot read \(path)") }
            sources[path] = bytes
        }
        for path in arguments.operands where !path.hasSuffix(".py") && path != "-" {
            if case .failure(let error) = ByteSource.open(path) { usage("cannot read \(error.message)") }
        }

        for operand in arguments.operands.isEmpty ? ["-"] : arguments.operands {
            if let bytes = sources[operand] {
                let (spec, diagnostics) = programSpec(bytes, path: operand, className: arguments.value("--module"), metric: metric)
                write(spec, diagnostics, input: operand, filter)
                continue
            }
            filter.forEachRecord([operand], allowMultiline: true) { record in
                guard record.kind == nil || record.kind == "spec" else { return filter.passThrough(record) }
                var (spec, diagnostics) = validateSpec(record.object)
                if record.location.input != "-", record.kind == nil { spec.path = absolutePath(record.location.input) }
                if record.kind == nil, let missing = missingMetricFile(spec, directory: spec.path.map(parentDirectory) ?? absolutePath(".")) {
                    diagnostics.append(missing)
                }
                write(spec, diagnostics, input: record.location.input, line: record.location.line, filter)
            }
        }
        filter.finish()
    }

    static func usage(_ message: String) -> Never {
        printError("mkspy-spec: \(message)")
        exit(.usage)
    }

    /// The spec record of a program, its findings, and the checks its record gets as any
    /// spec (the metric), plus whether a python metric's file exists.
    public static func programSpec(_ bytes: [UInt8], path: String, className: String?, metric: Metric?) -> (Spec, [Diagnostic]) {
        let directory = parentDirectory(absolutePath(path))
        let reading = readProgram(bytes, path: path, className: className, metric: metric?.object(relativeTo: directory))
        guard case .object(let record) = reading.record else { return (reading.spec, reading.diagnostics) }
        var (spec, diagnostics) = validateSpec(record)
        diagnostics = reading.diagnostics + diagnostics.filter { !reading.diagnostics.contains($0) }
        if let missing = missingMetricFile(spec, directory: directory) { diagnostics.append(missing) }
        spec.path = reading.spec.path
        return (spec, diagnostics)
    }

    static func write(_ spec: Spec, _ diagnostics: [Diagnostic], input: String, line: Int = 1, _ filter: Filter) {
        filter.emit(spec.record(diagnostics: diagnostics))
        if !filter.quiet {
            for d in diagnostics {
                let place = d.path.map { "\($0): " } ?? ""
                filter.diagnose(Location(input: input, line: d.line ?? line), "\(d.severity.rawValue): \(d.rule) \(place)\(d.message)")
            }
        }
        if diagnostics.contains(where: { $0.severity == .error }) { filter.raise(.recordErrors) }
    }
}

/// The `--metric metric.json` of a program: a spec's `metric` object, with a python
/// metric's path relative to the metric file's directory.
public struct Metric: Sendable {
    public var object: JSONObject
    /// The absolute directory of metric.json.
    public var directory: String

    /// Reads metric.json; nil with the message when it is unreadable or not an object.
    public static func read(_ path: String) -> (metric: Metric?, problem: String?) {
        guard let bytes = readFile(path) else { return (nil, "cannot read \(path)") }
        guard case .object(let object)? = try? JSON.parse(bytes) else {
            return (nil, "\(path) is not a JSON object such as {\"kind\": \"exact\", \"field\": \"answer\"}")
        }
        return (Metric(object: object, directory: parentDirectory(absolutePath(path))), nil)
    }

    /// The metric as the spec of a program in `programDirectory` holds it: a python
    /// metric's path relative to the program's directory, as for any spec, when the file
    /// is under it; else absolute.
    public func object(relativeTo programDirectory: String) -> JSONObject {
        var o = object
        if o["kind"]?.stringValue == "python", let path = o["path"]?.stringValue, !path.hasPrefix("/") {
            let file = absolutePath("\(directory)/\(path)")
            let prefix = programDirectory == "/" ? "/" : programDirectory + "/"
            o["path"] = .string(file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : file)
        }
        return o
    }
}

/// The directory part of an absolute path.
func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
