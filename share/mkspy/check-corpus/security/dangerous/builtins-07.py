# expect: SEC006 (getattr(builtins, op))
import builtins


def call(op, arg):
    return getattr(builtins, op)(arg)
