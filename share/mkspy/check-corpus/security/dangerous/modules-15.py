# expect: SEC007 (operator.methodcaller by name)
import operator
import os

operator.methodcaller("system", "id")(os)
