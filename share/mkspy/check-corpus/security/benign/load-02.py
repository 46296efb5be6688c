# benign: yaml.load with SafeLoader
import yaml

data = yaml.load("a: 1", Loader=yaml.SafeLoader)
