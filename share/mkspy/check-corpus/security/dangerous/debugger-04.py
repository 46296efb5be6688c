# expect: SEC012 (breakpoint aliased)
b = breakpoint
b()
