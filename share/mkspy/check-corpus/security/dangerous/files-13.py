# expect: SEC004 (a mode chosen at run time)
def save(path, mode):
    with open(path, mode) as f:
        f.write("x")
