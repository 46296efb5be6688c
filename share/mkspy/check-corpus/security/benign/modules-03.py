# benign: importlib for a harmless module by name
import importlib

json_module = importlib.import_module("json")
