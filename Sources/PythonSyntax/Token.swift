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

