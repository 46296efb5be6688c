# benign: sys.argv and sys.version
import sys

print(sys.version, sys.argv[1:])
