for *x in z: pass
