# expect: SEC001 (eval passed to map)
lines = ["1", "2"]
values = list(map(eval, lines))
