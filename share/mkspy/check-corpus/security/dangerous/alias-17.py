# expect: SEC003 (functools.partial over os.system)
import functools
import os

f = functools.partial(os.system, "id")
f()
