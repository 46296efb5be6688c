// Tokens: a kind and a byte range, plus the lines where the range starts and ends.

enum Tok: UInt8 {
    case endmarker, name, number, string, fstart, fmiddle, fend, newline, indent, dedent
    case lpar, rpar, lsqb, rsqb, lbrace, rbrace, colon, comma, semi, plus, minus, star, slash
    case vbar, amper, less, greater, equal, dot, percent, eqequal, notequal, lessequal
    case greaterequal, tilde, circumflex, leftshift, rightshift, doublestar, plusequal
    case minequal, starequal, slashequal, percentequal, amperequal, vbarequal, circumflexequal
    case leftshiftequal, rightshiftequal, doublestarequal, doubleslash, doubleslashequal
    case at, atequal, rarrow, ellipsis, colonequal, exclamation
    case kFalse, kNone, kTrue, kAnd, kAs, kAssert, kAsync, kAwait, kBreak, kClass, kContinue
    case kDef, kDel, kElif, kElse, kExcept, kFinally, kFor, kFrom, kGlobal, kIf, kImport, kIn
    case kIs, kLambda, kNonlocal, kNot, kOr, kPass, kRaise, kReturn, kTry, kWhile, kWith, kYield
}

struct Token {
    var kind: Tok
    var start: Int32
    var end: Int32
    var line: Int32
    var endLine: Int32
}

let keywords: [String: Tok] = [
    "False": .kFalse, "None": .kNone, "True": .kTrue, "and": .kAnd, "as": .kAs,
    "assert": .kAssert, "async": .kAsync, "await": .kAwait, "break": .kBreak, "class": .kClass,
    "continue": .kContinue, "def": .kDef, "del": .kDel, "elif": .kElif, "else": .kElse,
    "except": .kExcept, "finally": .kFinally, "for": .kFor, "from": .kFrom, "global": .kGlobal,
    "if": .kIf, "import": .kImport, "in": .kIn, "is": .kIs, "lambda": .kLambda,
    "nonlocal": .kNonlocal, "not": .kNot, "or": .kOr, "pass": .kPass, "raise": .kRaise,
    "return": .kReturn, "try": .kTry, "while": .kWhile, "with": .kWith, "yield": .kYield,
]
