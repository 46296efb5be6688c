[a for b in c for d in e if f if g]
