# expect: SEC001 (eval through a local alias)
def run(s):
    e = eval
    return e(s)
