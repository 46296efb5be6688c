# expect: SEC005 (yaml.load with UnsafeLoader)
import yaml

data = yaml.load("a: 1", Loader=yaml.UnsafeLoader)
