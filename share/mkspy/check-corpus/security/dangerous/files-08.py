# expect: SEC004 (append above the working directory)
log = open("../outside.txt", "a")
