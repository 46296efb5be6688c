# expect: SEC006 (globals() subscripted by a computed key)
def dispatch(name, arg):
    return globals()[name](arg)
