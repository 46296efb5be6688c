def f[T](x: T) -> T: return x
def g[T: int, *Ts, **P](*args: *Ts, **kw: P.kwargs): pass
class A[T = int, *Ts = *tuple[int], **P = [int, str]]: pass
class B[T: (int, str) = str]: ...
type Alias[K, V = dict] = dict[K, V]
async def h[T](): pass
