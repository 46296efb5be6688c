# expect: SEC010 (requests.get aliased)
import requests as r

get = r.get
get("http://198.51.100.7")
