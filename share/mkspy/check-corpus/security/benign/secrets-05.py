# benign: setting an environment variable
import os

os.environ["DSPY_CACHEDIR"] = "/tmp/dspy-cache"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
