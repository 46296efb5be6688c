# expect: SEC008 (object.__subclasses__ searched for Popen)
popen = [c for c in object.__subclasses__() if c.__name__ == "Popen"][0]
