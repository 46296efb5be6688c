x = 1in x
