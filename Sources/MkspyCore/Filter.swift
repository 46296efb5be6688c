/// The shared body of every tool: opens the operands, reads records one at a time, writes
/// records through the one buffered path, reports diagnostics on stderr, and keeps the
/// exit status.
public final class Filter {
    public let tool: String
    /// The worst status so far.
    public private(set) var status: ExitCode = .success
    /// Silences progress output (`-q`).
    public var quiet = false

    public init(tool: String) { self.tool = tool }

    /// Raises the exit status to at least `code`.
    public func raise(_ code: ExitCode) { status = max(status, code) }

    /// Prints `tool: INPUT:LINE: message` on stderr.
    public func diagnose(_ location: Location?, _ message: String) {
        printError(location.map { "\(tool): \($0): \(message)" } ?? "\(tool): \(message)")
    }

    /// Writes one record. It reaches the output whole, in one write(2) (StandardOutput flushes
    /// only between records), so a crash cannot leave half of it on a line of its own.
    public func emit(_ record: JSON) {
        var bytes = record.encoded
        bytes.append(0x0A)
        StandardOutput.write(bytes)
    }

    /// Writes a record's bytes unchanged.
    public func passThrough(_ record: Record) {
        StandardOutput.write(record.raw + [0x0A])
    }

    /// Opens every operand (stdin when there are none); an unreadable one is a usage error
    /// (status 2) before anything is read.
    public func open(_ operands: [String]) -> [ByteSource] {
        var sources = [ByteSource]()
        for path in operands.isEmpty ? ["-"] : operands {
            switch ByteSource.open(path) {
            case .success(let source): sources.append(source)
            case .failure(let error):
                diagnose(nil, "cannot read \(error.message)")
                exit(.usage)
            }
        }
        return sources
    }

    /// Calls `body` for every record of every operand. Lines that are not records become
    /// `error` records on stdout and a diagnostic on stderr; the stream goes on.
    public func forEachRecord(_ operands: [String], allowMultiline: Bool = false, _ body: (Record) -> Void) {
        var records = RecordStream(sources: open(operands), allowMultiline: allowMultiline)
        while let next = records.next() {
            switch next {
            case .success(let record): body(record)
            case .failure(let error): report(error)
            }
        }
    }

    /// Writes a read error as data and on stderr.
    public func report(_ error: ReadError) {
        diagnose(error.location, error.message)
        emit(error.record(tool: tool))
        raise(.recordErrors)
    }

    /// Flushes and exits with the worst status.
    public func finish() -> Never { exit(status) }
}

/// `line` with every control character (C0, DEL, C1) written as a JSON-style escape (`\n`,
/// `\t`, `\u001b`), so a name from the input cannot split a diagnostic or drive the terminal.
public func escapingControlCharacters(_ line: String) -> String {
    func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (0x7F...0x9F).contains(u.value) }
    guard line.unicodeScalars.contains(where: isControl) else { return line }
    var out = String.UnicodeScalarView()
    for u in line.unicodeScalars {
        guard isControl(u) else { out.append(u); continue }
        switch u {
        case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
        case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
        case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
        default:
            let hex = String(u.value, radix: 16)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        }
    }
    return String(out)
}
