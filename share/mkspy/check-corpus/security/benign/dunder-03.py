# benign: inspect.signature
import inspect


def arity(fn):
    return len(inspect.signature(fn).parameters)
