if (n := len(a)) > 10: pass
while chunk := f.read(10): pass
[y for x in data if (y := f(x))]
print(x := 1, (y := 2))
a[(i := 0)]
a[b := 1]
f(x, y=(z := 3))
{(c := a): (a := b) for __ in range(6)}
