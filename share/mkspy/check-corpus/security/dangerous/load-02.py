# expect: SEC005 (yaml.load with yaml.Loader)
import yaml

data = yaml.load(open("c.yaml"), Loader=yaml.Loader)
