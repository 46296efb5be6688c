# expect: SEC001 (a chain of aliases)
x = exec
y = x
z = y
z("print(1)")
