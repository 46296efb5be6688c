# expect: SEC003 (os.popen)
import os

out = os.popen("id").read()
