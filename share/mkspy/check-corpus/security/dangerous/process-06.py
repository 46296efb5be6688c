# expect: SEC003 (os.fork)
import os

pid = os.fork()
