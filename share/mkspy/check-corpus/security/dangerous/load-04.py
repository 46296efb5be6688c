# expect: SEC005 (yaml.unsafe_load)
import yaml

data = yaml.unsafe_load("a: 1")
