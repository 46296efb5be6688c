# expect: SEC011 (.netrc in an f-string)
import os

with open(f"{os.path.expanduser('~')}/.netrc") as f:
    text = f.read()
