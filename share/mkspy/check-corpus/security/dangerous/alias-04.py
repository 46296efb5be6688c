# expect: SEC003 (from os import system as s)
from os import system as s

s("id")
