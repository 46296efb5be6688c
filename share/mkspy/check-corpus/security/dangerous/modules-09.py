# expect: SEC003 (__import__('os').system)
__import__("os").system("id")
