# expect: SEC009 (from ctypes import cdll)
from ctypes import cdll

cdll.LoadLibrary("libc.so.6")
