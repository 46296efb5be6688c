# expect: SEC001 (walrus alias)
if (f := eval):
    f("1")
