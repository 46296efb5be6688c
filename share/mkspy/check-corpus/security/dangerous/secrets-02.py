# expect: SEC011 (os.environ aliased)
import os

env = os.environ
print(env["OPENAI_API_KEY"])
