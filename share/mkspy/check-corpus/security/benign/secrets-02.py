# benign: checking that a key is set
import os

if "OPENAI_API_KEY" not in os.environ:
    raise SystemExit("set OPENAI_API_KEY")
