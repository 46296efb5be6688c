# expect: SEC005 (yaml.load without a loader)
import yaml


def parse(text):
    return yaml.load(text)
