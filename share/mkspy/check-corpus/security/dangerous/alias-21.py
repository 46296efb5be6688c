# expect: SEC001 (a parameter elsewhere does not hide eval)
def helper(eval):
    return eval


eval("1")
