# expect: SEC011 (os.environ['OPENAI_API_KEY'] printed)
import os

key = os.environ["OPENAI_API_KEY"]
print(key)
