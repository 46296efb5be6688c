# expect: SEC007 (vars(os))
import os

vars(os)["system"]("id")
