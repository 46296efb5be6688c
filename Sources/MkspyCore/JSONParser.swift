/// Why some bytes are not one JSON value.
public struct JSONError: Error, Equatable, Sendable {
    /// What is wrong, in lower case ("expected ',' or '}' after an object member").
    public let message: String
    /// The byte offset of the problem.
    public let offset: Int
    /// True when the text ended before the value did.
    public let truncated: Bool
}

extension JSON {
    /// Parses exactly one JSON value (surrounding whitespace allowed). The bytes must be
    /// valid UTF-8; nesting deeper than 512 levels is an error rather than a stack overflow.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSON {
        let array = bytes as? [UInt8] ?? Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(JSONError) in
            var parser = JSONParser(bytes: buffer)
            parser.skipSpace()
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            if parser.i < buffer.count {
                throw parser.fail("unexpected '\(parser.describe(buffer[parser.i]))' after the JSON value")
            }
            return value
        }
    }

    /// Parses a string of JSON text.
    public static func parse(_ text: String) throws(JSONError) -> JSON { try parse(Array(text.utf8)) }
}

private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    static let maxDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func fail(_ message: String, at offset: Int? = nil) -> JSONError {
        JSONError(message: message, offset: offset ?? i, truncated: false)
    }
    func end(_ what: String) -> JSONError {
        JSONError(message: "truncated JSON: the text ends inside \(what)", offset: i, truncated: true)
    }
    func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func value(depth: Int) throws(JSONError) -> JSON {
        guard i < bytes.count else { throw end("a value") }
        if depth > JSONParser.maxDepth { throw fail("JSON nested deeper than \(JSONParser.maxDepth) levels") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected '\(describe(bytes[i]))' where a value should start")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let start = i
        for byte in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard i < bytes.count else { throw end("the literal '\(word)'") }
            guard bytes[i] == byte else {
                var end = start
                while end < bytes.count, end - start < 24, bytes[end] > 0x20, bytes[end] != UInt8(ascii: ","),
                      bytes[end] != UInt8(ascii: "]"), bytes[end] != UInt8(ascii: "}") { end += 1 }
                let found = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                throw fail("unexpected '\(found)' where a value should start (not JSON?)", at: start)
            }
            i += 1
        }
    }

    mutating func object(depth: Int) throws(JSONError) -> JSON {
        i += 1
        var object = JSONObject()
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(object) }
        while true {
            skipSpace()
            guard i < bytes.count else { throw end("an object") }
            guard bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key in an object") }
            let key = try string()
            skipSpace()
            guard i < bytes.count else { throw end("an object") }
            guard bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after the key \"\(key)\"") }
            i += 1
            skipSpace()
            object.insertParsed(key, try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw end("an object") }
            switch bytes[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return .object(object)
            default: throw fail("expected ',' or '}' after an object member")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONError) -> JSON {
        i += 1
        var items = [JSON]()
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw end("an array") }
            switch bytes[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"): i += 1; return .array(items)
            default: throw fail("expected ',' or ']' after an array element")
            }
        }
    }

    mutating func number() throws(JSONError) -> JSON {
        let start = i
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, p.bytes[p.i] >= 0x30, p.bytes[p.i] <= 0x39 { p.i += 1 }
            return p.i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let intDigits = digits(&self)
        if intDigits == 0 { throw i == bytes.count ? end("a number") : fail("invalid number", at: start) }
        if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") { throw fail("invalid number: leading zero", at: start) }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            if digits(&self) == 0 { throw i == bytes.count ? end("a number") : fail("invalid number: no digits after '.'", at: start) }
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits(&self) == 0 { throw i == bytes.count ? end("a number") : fail("invalid number: no digits in the exponent", at: start) }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
    }

    mutating func string() throws(JSONError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("unescaped control character in a string") }
            i += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if b < 0x20 { throw fail("unescaped control character in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count,
                   bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else { i = save }
                }
                // A lone surrogate cannot live in a Swift String: it becomes U+FFFD.
                out.append(contentsOf: String(Character(UnicodeScalar(scalar) ?? "\u{FFFD}")).utf8)
            default: throw fail("invalid escape '\\\(describe(e))' in a string", at: i - 2)
            }
        }
        throw end("a string")
    }

    mutating func hex4() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count else { throw end("a \\u escape") }
            let b = bytes[i] | 0x20
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            default: throw fail("invalid \\u escape in a string")
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }
}
