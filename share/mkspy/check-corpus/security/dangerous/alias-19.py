# expect: SEC001 (eval.__call__)
e = eval.__call__
e("1")
