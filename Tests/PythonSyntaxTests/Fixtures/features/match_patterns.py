match command.split():
    case [action]:
        pass
    case [action, obj]:
        pass
    case Point(x=0, y=0) | Point(1, 2):
        pass
    case {"x": x, "y": y, **rest}:
        pass
    case [1, 2, *others] if others:
        pass
    case (1 | 2) as num:
        pass
    case -1 | 1.5 | 2+3j | -2-1j | "s" "t" | b"b" | None | True | False:
        pass
    case Color.RED | a.b.c:
        pass
    case {1: _, "k": [*_], None: (a, b,)}:
        pass
    case (x, *_, y):
        pass
    case []:
        pass
    case ():
        pass
    case str() | bytes(x) as y:
        pass
    case _:
        pass
match x, y:
    case a, b: pass
match *a, b:
    case _: pass
match = 1
match.x = 2
match(x)
case = 3
print(match, case)
