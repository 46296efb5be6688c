# expect: SEC003 (subprocess under another name)
import subprocess as sp

out = sp.check_output(["id"])
