# expect: SEC011 (dict(os.environ))
import os

snapshot = dict(os.environ)
