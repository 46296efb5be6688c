if x: pass; pass
