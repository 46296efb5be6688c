# expect: SEC011 (/etc/shadow)
text = open("/etc/shadow").read()
