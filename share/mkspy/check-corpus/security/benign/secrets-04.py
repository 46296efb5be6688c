# benign: a key read into a name only dspy.LM gets
import os

import dspy

key = os.getenv("OPENAI_API_KEY")
dspy.configure(lm=dspy.LM("openai/gpt-4o-mini", api_key=key))
