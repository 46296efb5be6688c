# expect: SEC007 (from sys import modules)
from sys import modules

modules["subprocess"].run(["id"])
