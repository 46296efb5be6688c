# benign: a parameter named exec
def schedule(exec=None):
    if exec is not None:
        return exec("job")
    return None
