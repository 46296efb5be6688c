x: (int) = 1
