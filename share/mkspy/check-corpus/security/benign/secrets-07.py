# benign: MAX_TOKENS is not a secret
import os

max_tokens = int(os.getenv("MAX_TOKENS", "512"))
