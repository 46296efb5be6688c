# expect: SEC001 (eval as a lambda default)
g = lambda s, f=eval: f(s)
