// The JSON dump: every node an object with "_type", its fields, and its positions; keys sorted.


func dumpJSON(_ n: Node) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(1 << 16)
    writeNode(n, &out)
    out.append(10)
    return out
}

func dumpJSON(_ e: SyntaxError) -> [UInt8] {
    var out: [UInt8] = []
    out += Array("{\"error\":{\"col_offset\":\(e.colOffset),\"lineno\":\(e.lineno),\"message\":".utf8)
    writeString(e.message, &out)
    out += Array("}}\n".utf8)
    return out
}

private func writeNode(_ n: Node, _ out: inout [UInt8]) {
    out.append(123)
    var first = true
    for (k, i) in n.hasPosition ? n.kind.sortedKeysWithPosition : n.kind.sortedKeys {
        if !first { out.append(44) }
        first = false
        writeString(k, &out)
        out.append(58)
        switch i {
        case -1: writeString(n.type, &out)
        case -2: writeInt(Int(n.colOffset), &out)
        case -3: writeInt(Int(n.endColOffset), &out)
        case -4: writeInt(Int(n.endLineno), &out)
        case -5: writeInt(Int(n.lineno), &out)
        default: writeValue(n.value(at: i), &out)
        }
    }
    out.append(125)
}

private func writeInt(_ v: Int, _ out: inout [UInt8]) {
    if v < 0 { out.append(45); writeInt(-v, &out); return }
    if v >= 10 { writeInt(v / 10, &out) }
    out.append(UInt8(48 + v % 10))
}

private func writeValue(_ v: Value, _ out: inout [UInt8]) {
    switch v {
    case let .node(n): writeNode(n, &out)
    case let .list(l):
        out.append(91)
        for (i, x) in l.enumerated() {
            if i > 0 { out.append(44) }
            writeValue(x, &out)
        }
        out.append(93)
    case let .string(s): writeString(s, &out)
    case let .int(i): writeInt(i, &out)
    case .null: out += Array("null".utf8)
    case let .constant(c): writeConstant(c, &out)
    }
}

private func writeConstant(_ c: ConstantValue, _ out: inout [UInt8]) {
    func tagged(_ tag: String, _ body: String) {
        out.append(123)
        writeString(tag, &out)
        out.append(58)
        writeString(body, &out)
        out.append(125)
    }
    switch c {
    case let .int(s): tagged("int", s)
    case let .float(d): tagged("float", floatHex(d))
    case let .complex(d): tagged("complex", floatHex(d))
    case let .str(s): tagged("str", s)
    case let .strWithSurrogates(b): tagged("str_utf8_hex", hex(b))
    case let .bytes(b): tagged("bytes", hex(b))
    case let .bool(b): out += Array((b ? "{\"bool\":true}" : "{\"bool\":false}").utf8)
    case .none: out += Array("{\"none\":null}".utf8)
    case .ellipsis: out += Array("{\"ellipsis\":null}".utf8)
    }
}

private func hex(_ b: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(b.count * 2)
    for x in b { out.append(digits[Int(x >> 4)]); out.append(digits[Int(x & 15)]) }
    return String(decoding: out, as: UTF8.self)
}

/// A JSON string as Python's `json.dumps(..., ensure_ascii=False)` writes it.
func writeString(_ s: String, _ out: inout [UInt8]) {
    out.append(34)
    for c in s.utf8 {
        switch c {
        case 34: out += [92, 34]
        case 92: out += [92, 92]
        case 10: out += [92, 110]
        case 13: out += [92, 114]
        case 9: out += [92, 116]
        case 8: out += [92, 98]
        case 12: out += [92, 102]
        case 0..<32:
            let h = Array("0123456789abcdef".utf8)
            out += [92, 117, 48, 48, h[Int(c >> 4)], h[Int(c & 15)]]
        default: out.append(c)
        }
    }
    out.append(34)
}
