/// Where a record came from: the operand ("-" for standard input) and its 1-based line.
public struct Location: Equatable, Sendable, CustomStringConvertible {
    public let input: String
    public let line: Int
    public init(input: String, line: Int) { self.input = input; self.line = line }
    public var description: String { "\(input):\(line)" }
}

/// One JSON object read from an input, with its exact bytes for pass-through.
public struct Record: Sendable {
    public var object: JSONObject
    /// The bytes as read (one line), written back unchanged when the record passes through.
    public let raw: [UInt8]
    public let location: Location
    /// The record's "kind" member, if it is a string.
    public var kind: String? { object["kind"]?.stringValue }
}

/// A line that could not be read as a record: it flows on as an `error` record.
public struct ReadError: Error, Sendable {
    public let location: Location
    public let message: String
    public let text: String

    /// The `{"kind":"error",...}` record of DESIGN.md.
    public func record(tool: String) -> JSON {
        ["kind": "error", "tool": .string(tool), "input": .string(location.input),
         "line": .int(location.line), "message": .string(message), "text": .string(text)]
    }
}

/// Reads records from one byte source, one at a time, in bounded memory.
///
/// JSON Lines are the norm: each non-blank line is one object. With `allowMultiline`, an
/// input whose first line is not a whole JSON value is read as a sequence of pretty-printed
/// values instead (a spec file holding one indented object); each value then starts on a
/// new line, and an unreadable value is skipped up to where its brackets close. A line that a
/// crash cut short and a later append glued a whole record onto yields an error for the cut
/// part, then that record: nothing complete is lost.
public struct RecordReader: IteratorProtocol {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var position = 0
    private var lineNumber = 0
    private var multiline: Bool?
    private var exhausted = false
    /// Lines read past a value cut short, to be read again.
    private var unread: [(Int, [UInt8])] = []
    /// A record recovered from the end of a line whose start was cut short, given next.
    private var recovered: Result<Record, ReadError>?
    static let textLimit = 200
    /// How many openings a damaged line is tried at before it is given up as one error.
    static let recoveryAttempts = 1000

    public init(source: ByteSource, allowMultiline: Bool = false) {
        self.source = source
        self.multiline = allowMultiline ? nil : false
    }

    /// The descriptor of the input, when `next()` would wait for it: nothing whole is buffered
    /// and nothing has arrived. Nil when a record (or the end) can be had at once.
    public var waitingDescriptor: Int32? {
        !unread.isEmpty || exhausted || buffer[position...].contains(0x0A) || source.isReady ? nil : source.descriptor
    }

    /// The next record or read error; nil at the end of the input.
    public mutating func next() -> Result<Record, ReadError>? {
        if let recovered {
            self.recovered = nil
            return recovered
        }
        while let (number, line) = nextLine() {
            if isBlank(line) { continue }
            if multiline == nil {
                if case .failure(let e) = parseLine(line), e.truncated { multiline = true } else { multiline = false }
            }
            if multiline == true { return readMultiline(first: line, at: number) }
            let location = Location(input: source.name, line: number)
            switch parseLine(line) {
            case .success(let json): return record(json, raw: line, location)
            case .failure(let error):
                guard let (start, json) = wholeRecordAtEnd(of: line) else { return .failure(readError(error.message, line, location)) }
                recovered = record(json, raw: Array(line[start...]), location)
                return .failure(readError("the start of this line is not a whole record (a write cut short by a crash?) and is skipped; the whole record after it is read",
                                          Array(line[..<start]), location))
            }
        }
        return nil
    }

    /// A crash can leave a record cut short with no newline, and the next append then glues a
    /// whole record onto it: `{"kind":"cand{"kind":"candidate",...}`. The whole record is the
    /// line's longest suffix that opens with `{` and parses as one object; its offset and value.
    private func wholeRecordAtEnd(of line: [UInt8]) -> (Int, JSON)? {
        var attempts = 0
        for start in line.indices.dropFirst() where line[start] == 0x7B {
            attempts += 1
            if attempts > Self.recoveryAttempts { return nil }
            if case .success(let json) = parseLine(Array(line[start...])), case .object = json { return (start, json) }
        }
        return nil
    }

    private func record(_ json: JSON, raw: [UInt8], _ location: Location) -> Result<Record, ReadError> {
        guard case .object(let object) = json else {
            return .failure(readError("expected a JSON object, got \(json.typeDescription)", raw, location))
        }
        return .success(Record(object: object, raw: raw, location: location))
    }

    private mutating func readMultiline(first: [UInt8], at start: Int) -> Result<Record, ReadError> {
        var text = first
        var read = [(Int, [UInt8])]()
        var scanner = BracketScanner()
        scanner.scan(first)
        while !scanner.balanced, let (number, line) = nextLine() {
            read.append((number, line))
            scanner.scan(line)
        }
        // A value cut short never closes: the values after it, each opening with `{` on a
        // line of its own, are read again rather than lost with it.
        if !scanner.balanced, let next = read.firstIndex(where: { $0.1.first == 0x7B }) {
            unread = Array(read[next...]) + unread
            read.removeSubrange(next...)
        }
        for (_, line) in read {
            text.append(0x0A)
            text.append(contentsOf: line)
        }
        let location = Location(input: source.name, line: start)
        switch parseLine(text) {
        case .success(let json):
            return record(json, raw: json.encoded, location)
        case .failure(let error):
            let line = start + text[..<min(error.offset, text.count)].lazy.filter { $0 == 0x0A }.count
            let message = error.truncated ? "truncated JSON: the value starting here never ends" : "\(error.message) (line \(line))"
            return .failure(readError(message, text, location))
        }
    }

    private func parseLine(_ line: [UInt8]) -> Result<JSON, JSONError> {
        if let bad = firstInvalidUTF8(line) {
            return .failure(JSONError(message: "invalid UTF-8 at byte \(bad + 1)", offset: bad, truncated: false))
        }
        do { return .success(try JSON.parse(line)) } catch { return .failure(error) }
    }

    private func readError(_ message: String, _ bytes: [UInt8], _ location: Location) -> ReadError {
        let text = String(decoding: bytes, as: UTF8.self)
        let cut = text.unicodeScalars.count > Self.textLimit
            ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(Self.textLimit))) + "…" : text
        return ReadError(location: location, message: message, text: cut)
    }

    private func isBlank(_ line: [UInt8]) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// The next line without its terminator ("\n" or "\r\n"), and its number. A UTF-8 byte
    /// order mark opening the input is dropped, as Python's "utf-8-sig" codec does.
    private mutating func nextLine() -> (Int, [UInt8])? {
        if !unread.isEmpty { return unread.removeFirst() }
        guard let (number, line) = nextPhysicalLine() else { return nil }
        if number == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { return (number, Array(line.dropFirst(3))) }
        return (number, line)
    }

    private mutating func nextPhysicalLine() -> (Int, [UInt8])? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                var end = newline
                if end > position, buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[position..<end])
                position = newline + 1
                lineNumber += 1
                return (lineNumber, line)
            }
            if exhausted {
                guard position < buffer.count else { return nil }
                let line = Array(buffer[position...])
                position = buffer.count
                lineNumber += 1
                return (lineNumber, line)
            }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            if source.read(into: &buffer, count: max(1 << 16, buffer.count)) == 0 { exhausted = true }
        }
    }
}

/// Records from several sources in turn (the operands of a tool), one at a time.
public struct RecordStream {
    private var sources: [ByteSource]
    private var reader: RecordReader?
    private let allowMultiline: Bool

    public init(sources: [ByteSource], allowMultiline: Bool = false) {
        self.sources = sources.reversed()
        self.allowMultiline = allowMultiline
    }

    /// The descriptor `next()` would wait for; nil when a record (or the end) comes at once.
    public var waitingDescriptor: Int32? {
        mutating get {
            if reader == nil, let source = sources.popLast() { reader = RecordReader(source: source, allowMultiline: allowMultiline) }
            return reader?.waitingDescriptor
        }
    }

    /// The next record or read error; nil after the last source.
    public mutating func next() -> Result<Record, ReadError>? {
        while true {
            if let value = reader?.next() { return value }
            guard let source = sources.popLast() else { return nil }
            reader = RecordReader(source: source, allowMultiline: allowMultiline)
        }
    }
}

/// Tracks bracket depth across lines, outside strings, to find where a value ends.
private struct BracketScanner {
    var depth = 0
    var inString = false
    var escaped = false
    var started = false
    var balanced: Bool { started && depth <= 0 && !inString }

    mutating func scan(_ line: [UInt8]) {
        for byte in line {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1; started = true
            case 0x7D, 0x5D: depth -= 1
            default: break
            }
        }
        if inString { inString = false }  // JSON strings never span lines
    }
}

/// The offset of the first byte that is not part of well-formed UTF-8, or nil.
func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
        let b = bytes[i]
        if b < 0x80 { i += 1; continue }
        let length: Int
        var minimum: UInt32
        var scalar: UInt32
        switch b {
        case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(b & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(b & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(b & 0x07)
        default: return i
        }
        guard i + length <= n else { return i }
        for k in 1..<length {
            let c = bytes[i + k]
            guard c & 0xC0 == 0x80 else { return i }
            scalar = scalar << 6 | UInt32(c & 0x3F)
        }
        if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
        i += length
    }
    return nil
}
