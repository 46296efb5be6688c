# expect: SEC003 (a module imported by literal name, then used)
import importlib

sp = importlib.import_module("subprocess")
sp.run(["id"])
