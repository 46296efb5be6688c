[a for b in c, d]
