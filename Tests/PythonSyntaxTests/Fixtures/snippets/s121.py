x = 1is x
