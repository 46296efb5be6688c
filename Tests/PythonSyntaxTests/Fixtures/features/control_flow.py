if a:
    pass
elif b:
    pass
elif c:
    x = 1
else:
    pass
while x:
    break
else:
    continue
for x in y:
    pass
else:
    pass
for x, (y, z) in w: pass
for *a, b in c: pass
for x in *a, *b: pass
for i in range(10): print(i); print(i)
if x: a; b
class E: pass
class F(): pass
