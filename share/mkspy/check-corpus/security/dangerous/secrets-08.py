# expect: SEC011 (from os import environ)
from os import environ


def leak(send):
    send(environ["AWS_SECRET_ACCESS_KEY"])
