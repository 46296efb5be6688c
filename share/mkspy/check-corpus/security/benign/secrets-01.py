# benign: a model name from the environment
import os

MODEL = os.getenv("MODEL_NAME", "openai/gpt-4o-mini")
