(a for b in c if d for e in f)
