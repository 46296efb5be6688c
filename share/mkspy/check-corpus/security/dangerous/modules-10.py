# expect: SEC003 (importlib.import_module('os').system)
import importlib

importlib.import_module("os").system("id")
