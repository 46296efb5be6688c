// Number literals: integers of any size (as decimal text), floats, imaginary numbers.

func numberValue(_ src: [UInt8], _ a: Int, _ b: Int) throws(SyntaxError) -> ConstantValue {
    // fast path: plain decimal digits without a leading zero
    if src[a] != 48 || b - a == 1 {
        var plain = true
        for i in a..<b where !isDigit(src[i]) { plain = false; break }
        if plain && b - a <= maxDecimalDigits { return .int(String(decoding: src[a..<b], as: UTF8.self)) }
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
            if digits.count > maxRadixDigits {
                throw SyntaxError(message: "integer literal too large (more than \(maxRadixDigits) digits)", lineno: 0, colOffset: 0)
            }
            return .int(toDecimal(Array(digits[2...]), radix: r == 120 ? 16 : r == 111 ? 8 : 2))
        }
    }
    for c in digits where c == 46 || c == 101 || c == 69 { return .float(parseDouble(digits)) }
    var i = 0
    while i < digits.count - 1 && digits[i] == 48 { i += 1 }
    if digits.count - i > maxDecimalDigits {
        throw SyntaxError(message: "Exceeds the limit (4300 digits) for integer string conversion: value has \(digits.count - i) digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal for huge integer literals to avoid decimal conversion limits.", lineno: 0, colOffset: 0)
    }
    return .int(String(decoding: digits[i...], as: UTF8.self))
}

func parseDouble(_ d: [UInt8]) -> Double {
    Double(String(decoding: d, as: UTF8.self)) ?? .nan
}

/// Converts digits in `radix` (2, 8 or 16) to decimal text: chunks of up to 60 bits
/// multiplied into base-10^18 limbs.
func toDecimal(_ d: [UInt8], radix: UInt64) -> String {
    let bits = radix == 16 ? 4 : radix == 8 ? 3 : 1
    let chunk = 60 / bits
    let base: UInt64 = 1_000_000_000_000_000_000
    var limbs: [UInt64] = [0]  // little-endian, base 10^18
    var i = 0
    while i < d.count {
        let n = min(chunk, d.count - i)
        var v: UInt64 = 0
        for j in i..<(i + n) {
            let c = d[j]
            v = v << UInt64(bits) | (c <= 57 ? UInt64(c - 48) : UInt64((c | 0x20) - 87))
        }
        let mul: UInt64 = 1 << UInt64(bits * n)
        var carry = v
        for k in limbs.indices {
            let (hi, lo) = limbs[k].multipliedFullWidth(by: mul)
            let (lo2, o) = lo.addingReportingOverflow(carry)
            let (q, r) = base.dividingFullWidth((hi + (o ? 1 : 0), lo2))
            limbs[k] = r
            carry = q
        }
        while carry > 0 { limbs.append(carry % base); carry /= base }
        i += n
    }
    var s = String(limbs[limbs.count - 1])
    for l in limbs.dropLast().reversed() {
        let part = String(l)
        s += String(repeating: "0", count: 18 - part.count) + part
    }
    return s
}

/// Hexadecimal, octal and binary literals longer than this are refused (CPython accepts them;
/// converting them to decimal text is quadratic).
let maxRadixDigits = 300_000

/// CPython refuses decimal integer literals of more than 4300 digits (int_max_str_digits).
let maxDecimalDigits = 4300

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
