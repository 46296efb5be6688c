while x: pass; break
