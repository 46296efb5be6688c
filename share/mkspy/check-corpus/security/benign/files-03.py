# benign: sqlite3 in memory
import sqlite3

conn = sqlite3.connect(":memory:")
conn.execute("create table t (x)")
