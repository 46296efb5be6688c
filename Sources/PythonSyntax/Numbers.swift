// Number literals: integers of any size (as decimal text), floats, imaginary numbers.

func numberValue(_ src: [UInt8], _ a: Int, _ b: Int) throws(SyntaxError) -> ConstantValue {
    // fast path: plain decimal digits without a leading zero
    if src[a] != 48 || b - a == 1 {
        var plain = true
        for i in a..<b where !isDigit(src[i]) { plain = false; break }
        if plain { return .int(String(decoding: src[a..<b], as: UTF8.self)) }
    }
    var digits: [UInt8] = []
    digits.reserveCapacity(b - a)
    for i in a..<b where src[i] != 95 { digits.append(src[i]) }
    let last = digits[digits.count - 1] | 0x20
    if last == 106 {  // j
        digits.removeLast()
        return .complex(parseDouble(digits))
    }
    if digits.count > 1 && digits[0] == 48 {
        let r = digits[1] | 0x20
        if r == 120 || r == 111 || r == 98 {
            return .int(toDecimal(Array(digits[2...]), radix: r == 120 ? 16 : r == 111 ? 8 : 2))
        }
    }
    for c in digits where c == 46 || c == 101 || c == 69 { return .float(parseDouble(digits)) }
    var i = 0
    while i < digits.count - 1 && digits[i] == 48 { i += 1 }
    return .int(String(decoding: digits[i...], as: UTF8.self))
}

func parseDouble(_ d: [UInt8]) -> Double {
    Double(String(decoding: d, as: UTF8.self)) ?? .nan
}

/// Converts digits in `radix` to decimal text (schoolbook base 10^9 arithmetic).
func toDecimal(_ d: [UInt8], radix: UInt64) -> String {
    var limbs: [UInt64] = [0]  // little-endian base 1e9
    for c in d {
        let v: UInt64 = c <= 57 ? UInt64(c - 48) : UInt64((c | 0x20) - 87)
        var carry = v
        for i in limbs.indices {
            let x = limbs[i] * radix + carry
            limbs[i] = x % 1_000_000_000
            carry = x / 1_000_000_000
        }
        while carry > 0 { limbs.append(carry % 1_000_000_000); carry /= 1_000_000_000 }
    }
    var s = String(limbs[limbs.count - 1])
    for l in limbs.dropLast().reversed() {
        let part = String(l)
        s += String(repeating: "0", count: 9 - part.count) + part
    }
    return s
}

/// Python's `float.hex()`.
func floatHex(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    let sign = x.sign == .minus ? "-" : ""
    if x == 0 { return sign + "0x0.0p+0" }
    let bits = x.bitPattern
    let frac = bits & ((1 << 52) - 1)
    let exp = Int((bits >> 52) & 0x7FF)
    let lead = exp == 0 ? 0 : 1
    let e = exp == 0 ? -1022 : exp - 1023
    var h = String(frac, radix: 16)
    h = String(repeating: "0", count: 13 - h.count) + h
    return "\(sign)0x\(lead).\(h)p\(e < 0 ? "-" : "+")\(abs(e))"
}
