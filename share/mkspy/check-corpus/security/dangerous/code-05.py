# expect: SEC001 (compile)
def build(src):
    return compile(src, "<x>", "exec")
