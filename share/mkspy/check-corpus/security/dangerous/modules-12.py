# expect: SEC002 (__import__ with a computed name)
m = __import__("o" + "s")
