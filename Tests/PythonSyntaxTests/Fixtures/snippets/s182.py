x = [a async for b in c]
