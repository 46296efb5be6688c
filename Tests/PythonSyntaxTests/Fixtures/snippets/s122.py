x = 1not in x
