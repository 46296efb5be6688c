# benign: a membership test on sys.modules
import sys

HAS_DSPY = "dspy" in sys.modules
