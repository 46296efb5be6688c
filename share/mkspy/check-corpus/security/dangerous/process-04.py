# expect: SEC003 (os.spawnl)
import os

os.spawnl(os.P_WAIT, "/bin/sh", "sh")
