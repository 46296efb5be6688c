# benign: a key only tested for presence
import os

if not os.getenv("OPENAI_API_KEY"):
    raise SystemExit("set OPENAI_API_KEY")
