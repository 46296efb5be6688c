# expect: SEC006 (globals()['__builtins__'])
b = globals()["__builtins__"]
