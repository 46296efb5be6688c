# benign: os.getpid and os.cpu_count
import os

print(os.getpid(), os.cpu_count())
