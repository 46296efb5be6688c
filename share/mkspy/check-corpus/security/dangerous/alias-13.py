# expect: SEC003 (alias made global inside a function)
import os


def setup():
    global runner
    runner = os.system


def go():
    runner("id")
