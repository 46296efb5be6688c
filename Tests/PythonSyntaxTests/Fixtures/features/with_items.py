with a: pass
with a as b, c as d: pass
with (a as b, c as d): pass
with (a as b, c as d,): pass
with (a, b): pass
with (a, b) as c: pass
with (yield): pass
with (open(f) as f, open(g) as g):
    pass
with (a): pass
with (a) as b: pass
with a as (b, c): pass
with a as [b, *c]: pass
async def f():
    async with a as b, c: pass
    async for x in y: pass
    await z
    return [i async for i in aiter() if await i]
