# expect: SEC006 (builtins.__dict__['exec'])
import builtins

builtins.__dict__["exec"]("x = 1")
