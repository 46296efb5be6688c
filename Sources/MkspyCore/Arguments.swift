/// The version every tool reports.
public let mkspyVersion = "0.1.0"

/// What a tool accepts on its command line.
public struct CommandSpec: Sendable {
    /// An option that takes a value (`--data FILE`), or a flag (`--force`).
    public struct Option: Sendable {
        public let names: [String]
        public let takesValue: Bool
        public init(_ names: String..., value: Bool = false) { self.names = names; self.takesValue = value }
        var key: String { names.first { $0.hasPrefix("--") } ?? names[0] }
    }

    public let tool: String
    /// The whole `--help` text.
    public let help: String
    public let options: [Option]

    public init(tool: String, help: String, options: [Option]) {
        self.tool = tool; self.help = help; self.options = options
    }
}

/// A parsed command line: option values by their long name, flags, and operands.
public struct Arguments: Sendable {
    public private(set) var values: [String: [String]] = [:]
    public private(set) var operands: [String] = []

    /// The last value given for `name` (a long name such as "--lm").
    public func value(_ name: String) -> String? { values[name]?.last }
    /// Every value given for a repeatable option.
    public func all(_ name: String) -> [String] { values[name] ?? [] }
    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool { values[name] != nil }

    /// Parses `argv` (without the program name). Help and version print to stdout and exit 0;
    /// misuse prints to stderr and exits 2.
    public static func parse(_ argv: [String], _ spec: CommandSpec) -> Arguments {
        switch parseOrFail(argv, spec) {
        case .success(let arguments): return arguments
        case .failure(.help):
            StandardOutput.write(Array(spec.help.utf8))
            exit(.success)
        case .failure(.version):
            StandardOutput.write(Array("\(spec.tool) \(mkspyVersion)\n".utf8))
            exit(.success)
        case .failure(.usage(let message)):
            printError("\(spec.tool): \(message)")
            printError("usage: see '\(spec.tool) --help'")
            exit(.usage)
        }
    }

    /// Why parsing stopped before operands: help, version, or a usage error.
    public enum Stop: Error, Equatable { case help, version, usage(String) }

    /// The pure parser behind `parse`, for tests.
    public static func parseOrFail(_ argv: [String], _ spec: CommandSpec) -> Result<Arguments, Stop> {
        var result = Arguments()
        var i = 0
        func option(_ name: String) -> CommandSpec.Option? { spec.options.first { $0.names.contains(name) } }
        while i < argv.count {
            let arg = argv[i]
            i += 1
            if arg == "--" { result.operands += argv[i...]; break }
            if arg == "-" || !arg.hasPrefix("-") { result.operands.append(arg); continue }
            if arg == "-h" || arg == "--help" { return .failure(.help) }
            if arg == "--version" { return .failure(.version) }
            var name = arg
            var inline: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq]); inline = String(arg[arg.index(after: eq)...])
            } else if !arg.hasPrefix("--"), arg.count > 2, let o = option(String(arg.prefix(2))), o.takesValue {
                name = String(arg.prefix(2)); inline = String(arg.dropFirst(2))
            }
            guard let opt = option(name) else { return .failure(.usage("unknown option '\(name)'")) }
            if opt.takesValue {
                guard let value = inline ?? (i < argv.count ? argv[i] : nil) else {
                    return .failure(.usage("option '\(name)' needs a value"))
                }
                if inline == nil { i += 1 }
                result.values[opt.key, default: []].append(value)
            } else {
                if inline != nil { return .failure(.usage("option '\(name)' takes no value")) }
                result.values[opt.key, default: []].append("")
            }
        }
        return .success(result)
    }
}

/// What is wrong with a command line: the tool says it and exits 2.
public struct UsageError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

extension Arguments {
    /// The integer value of `name`, nil when absent; an error unless it is an integer ≥ `minimum`.
    public func integer(_ name: String, minimum: Int) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let n = Int(text), n >= minimum else { throw UsageError("\(name) needs an integer ≥ \(minimum), got '\(text)'") }
        return n
    }

    /// The number value of `name`, nil when absent; an error unless it is a number ≥ 0.
    public func decimal(_ name: String) throws(UsageError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let x = Double(text), x >= 0, x.isFinite else { throw UsageError("\(name) needs a number ≥ 0, got '\(text)'") }
        return x
    }
}
