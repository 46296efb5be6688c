# benign: yaml.safe_load
import yaml

with open("config.yaml") as f:
    config = yaml.safe_load(f)
