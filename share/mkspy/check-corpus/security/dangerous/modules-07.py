# expect: SEC007 (os.__dict__ by key)
import os


def call(key):
    return os.__dict__[key]("id")
