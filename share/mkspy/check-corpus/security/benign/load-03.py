# benign: yaml.load with CSafeLoader imported by name
from yaml import CSafeLoader, load

data = load("a: 1", Loader=CSafeLoader)
