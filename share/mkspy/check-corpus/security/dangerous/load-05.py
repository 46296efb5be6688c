# expect: SEC005 (load and FullLoader imported by name)
from yaml import FullLoader, load

data = load("a: 1", FullLoader)
