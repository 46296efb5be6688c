match x:
    case {a.b: 1, None: 2, -1: 3, 1+2j: 4, "s": 5}: pass
