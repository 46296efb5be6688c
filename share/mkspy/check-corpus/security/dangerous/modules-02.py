# expect: SEC007 (sys.modules.get)
import sys

os_module = sys.modules.get("os")
