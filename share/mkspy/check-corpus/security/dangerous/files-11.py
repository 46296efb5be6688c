# expect: SEC004 (os.remove)
import os

os.remove(os.path.expanduser("~/.bashrc"))
