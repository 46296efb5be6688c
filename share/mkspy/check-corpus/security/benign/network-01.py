# benign: urllib.parse
from urllib.parse import urlparse


def host(url):
    return urlparse(url).netloc
