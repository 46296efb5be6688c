# expect: SEC001 (an alias used as a decorator)
ex = exec


@ex
def payload():
    pass
