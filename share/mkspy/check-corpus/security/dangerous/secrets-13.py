# expect: SEC011 (/proc/self/environ)
data = open("/proc/self/environ", "rb").read()
