match x:
    case True | None | False: pass
