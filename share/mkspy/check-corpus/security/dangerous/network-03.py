# expect: SEC010 (requests.post)
import requests

requests.post("http://198.51.100.7", json={"a": 1})
