# expect: SEC003 (from os import *)
from os import *

system("id")
