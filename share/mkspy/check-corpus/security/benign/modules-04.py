# benign: importlib.metadata
import importlib.metadata

version = importlib.metadata.version("dspy")
