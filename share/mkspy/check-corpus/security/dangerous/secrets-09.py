# expect: SEC011 (os.environ by a computed name)
import os


def read(name):
    return os.environ[name]
