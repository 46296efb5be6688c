# expect: SEC003 (os.execv)
import os

os.execv("/bin/sh", ["sh"])
