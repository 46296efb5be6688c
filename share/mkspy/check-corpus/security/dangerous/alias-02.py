# expect: SEC001 (exec as a decorator)
@exec
def payload():
    pass
