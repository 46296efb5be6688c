# expect: SEC008 (sys._getframe)
import sys

frame = sys._getframe(1)
