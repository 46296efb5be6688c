/// mkspy-spec: validates task specs and writes normalized `spec` records.
public enum SpecTool {
    public static let command = CommandSpec(tool: "mkspy-spec", help: """
        usage: mkspy-spec [-q] [FILE...]

        Validate task specs and write one normalized spec record per spec:
        {"kind":"spec","id":…,"ok":…,"diagnostics":[…], …normalized spec}.
        Reads FILEs (or stdin; '-' is stdin). A file may hold JSON Lines of specs or
        pretty-printed specs. Records of other kinds pass through unchanged.

          -q             do not print diagnostics on stderr
          -h, --help     show this help
          --version      show the version

        Exit status: 0 all specs valid, 1 a spec had errors or a line was not a record,
        2 usage error or unreadable file. See mkspy-spec(1).

        """, options: [.init("-q", "--quiet")])

    public static func main(_ argv: [String]) -> Never {
        let arguments = Arguments.parse(argv, command)
        let filter = Filter(tool: command.tool)
        filter.quiet = arguments.flag("--quiet")
        filter.forEachRecord(arguments.operands, allowMultiline: true) { record in
            guard record.kind == nil || record.kind == "spec" else { return filter.passThrough(record) }
            var (spec, diagnostics) = validateSpec(record.object)
            if record.location.input != "-", record.kind == nil { spec.path = absolutePath(record.location.input) }
            filter.emit(spec.record(diagnostics: diagnostics))
            if !filter.quiet {
                for d in diagnostics {
                    filter.diagnose(record.location, "\(d.severity.rawValue): \(d.rule) \(d.path ?? ""): \(d.message)")
                }
            }
            if diagnostics.contains(where: { $0.severity == .error }) { filter.raise(.recordErrors) }
        }
        filter.finish()
    }
}
