# expect: SEC004 (sqlite3 under another name)
import sqlite3 as db


def open_db(path):
    return db.connect(path)
