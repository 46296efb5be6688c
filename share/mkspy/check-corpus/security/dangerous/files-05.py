# expect: SEC004 (sqlite3 on a file)
import sqlite3

conn = sqlite3.connect("cache.db")
