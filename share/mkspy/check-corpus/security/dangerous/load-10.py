# expect: SEC005 (shelve.open)
import shelve

db = shelve.open("state")
