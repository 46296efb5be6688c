# expect: SEC008 (getattr with '__globals__')
def f():
    pass


g = getattr(f, "__globals__")
