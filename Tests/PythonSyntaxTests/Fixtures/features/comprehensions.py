[x for x in y]
[x for x in y if x if not x]
[(x, y) for x in a for y in b if x != y]
{x for x in y}
{k: v for k, v in d.items()}
(x for x in y)
f(x for x in y)
f((x for x in y), z)
[x async for x in y]
[[y for y in x] for x in z]
[*a, *b]
{*a, *b}
{**a, 'k': 1, **b}
(*a, *b)
[x for x, in y]
[x for *x, y in z]
