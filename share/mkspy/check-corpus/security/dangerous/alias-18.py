# expect: SEC001 (eval rebound to itself)
eval = eval
eval("1")
