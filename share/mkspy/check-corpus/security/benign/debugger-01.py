# benign: a flag named debug
DEBUG = False


def breakpoint_free(x):
    return x
