x: int, y
