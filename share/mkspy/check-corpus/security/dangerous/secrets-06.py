# expect: SEC011 (iterating os.environ)
import os

for name, value in os.environ.items():
    print(name, value)
