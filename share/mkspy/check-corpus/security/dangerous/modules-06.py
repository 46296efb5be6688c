# expect: SEC007 (getattr on subprocess with a variable)
import subprocess


def call(method_name):
    return getattr(subprocess, method_name)(["id"])
