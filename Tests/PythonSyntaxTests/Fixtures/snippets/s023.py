a, b += c
