# expect: SEC002 (import_module with a variable)
import importlib


def load(name):
    return importlib.import_module(name)
