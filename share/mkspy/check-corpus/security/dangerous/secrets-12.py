# expect: SEC011 (~/.aws/credentials)
import os

text = open(os.path.expanduser("~/.aws/credentials")).read()
