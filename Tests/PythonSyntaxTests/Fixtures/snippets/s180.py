[a for (b) in c]
