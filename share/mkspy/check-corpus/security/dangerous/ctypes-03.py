# expect: SEC009 (__import__('ctypes'))
c = __import__("ctypes")
