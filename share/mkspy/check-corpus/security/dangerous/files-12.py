# expect: SEC004 (open aliased)
w = open
w("/tmp/x", "w")
