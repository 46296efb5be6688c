x = 1 or2
