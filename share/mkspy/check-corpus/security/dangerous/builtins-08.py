# expect: SEC006 (__builtins__ aliased)
B = __builtins__
