# expect: SEC003 (os.system aliased at module level)
import os

run = os.system


def tool(cmd):
    return run(cmd)
