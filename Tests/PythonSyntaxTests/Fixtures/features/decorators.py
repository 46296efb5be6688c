@dec
@dec.attr(1, k=2)
@(lambda f: f)
@buttons[0].clicked.connect
@x if y else z
@(a := b)
def f(): pass

@dataclass(frozen=True)
class C(Base, metaclass=M, **kw):
    x: int = 0
    async def m(self, /, a, b=1, *args, c, d=2, **kw) -> "C": ...
