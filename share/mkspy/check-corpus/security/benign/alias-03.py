# benign: a local function named compile
def compile(program):
    return program


result = compile("question -> answer")
