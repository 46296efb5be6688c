x = await a ** b
