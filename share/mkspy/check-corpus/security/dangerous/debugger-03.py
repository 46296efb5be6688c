# expect: SEC012 (pdb.run)
import pdb

pdb.run("x = 1")
