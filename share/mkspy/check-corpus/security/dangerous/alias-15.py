# expect: SEC001 (builtins.exec)
import builtins

builtins.exec("x = 1")
