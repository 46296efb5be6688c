match x:
    case A.B.C(): pass
