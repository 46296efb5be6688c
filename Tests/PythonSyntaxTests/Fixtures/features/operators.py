a + b - c * d / e // f % g @ h ** i ** j
-a + +b - ~c
not a and b or c and not d
a < b <= c > d >= e == f != g is h is not i in j not in k
a | b ^ c & d << e >> f
x if c else y if d else z
lambda: 0
lambda a, b=1, *c, d, e=2, **f: a
lambda *, k: k
lambda a, /, b: a
await_ = 1
a.b.c[d](e)(f)[g:h:i][::2][j, k:l, *m]
a[1:2, ::3]
a[:]
a[*b]
a[b, *c]
x = y = z = 1
x, y = y, x
[a, *b] = c
(a, b), c = d
a.b, c[d] = e
x += 1; x -= 1; x *= 1; x /= 1; x //= 1; x %= 1; x **= 1; x @= 1
x &= 1; x |= 1; x ^= 1; x <<= 1; x >>= 1
x: int
x: int = 1
(x): int = 1
a.b: int
a[0]: int = 2
x: tuple = 1, 2
y = yield
y = yield from z
del a, b[0], c.d, (e, f), [g]
assert x, "msg"
global a, b
nonlocal c
import a, b.c as d
from . import x
from .. import y as z
from ...pkg.mod import (a, b as c,)
from .mod import *
pass; break; continue
return
return 1, 2
return *a, b
*a, b = c
print(*args, **kwargs, sep='')
print(a, *b, c=1, *d, **e)
(yield)
(x)
()
(1,)
1,
...
None, True, False
