# expect: SEC008 (a function's __globals__)
def f():
    pass


g = f.__globals__
