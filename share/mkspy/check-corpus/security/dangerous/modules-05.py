# expect: SEC007 (getattr on os with a name from data)
import os


def tool(config):
    return getattr(os, config["fn"])("id")
