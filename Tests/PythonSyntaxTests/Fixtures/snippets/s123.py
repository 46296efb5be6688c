x = 1.5e3and 1
