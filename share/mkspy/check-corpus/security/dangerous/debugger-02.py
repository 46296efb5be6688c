# expect: SEC012 (pdb.set_trace())
import pdb

pdb.set_trace()
