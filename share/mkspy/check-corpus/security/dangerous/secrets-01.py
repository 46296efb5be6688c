# expect: SEC011 (a .env file read)
with open(".env") as f:
    settings = f.read()
