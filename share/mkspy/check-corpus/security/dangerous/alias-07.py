# expect: SEC001 (tuple unpacking alias)
a, b = eval, print
a("1 + 1")
