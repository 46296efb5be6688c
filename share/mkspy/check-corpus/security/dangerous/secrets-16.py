# expect: SEC011 (os.environ.copy())
import os

env = os.environ.copy()
