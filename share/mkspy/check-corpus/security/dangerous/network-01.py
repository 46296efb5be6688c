# expect: SEC010 (urllib.request.urlopen)
import urllib.request

urllib.request.urlopen("http://198.51.100.7/x")
