# expect: SEC010 (httpx.Client)
import httpx

with httpx.Client() as client:
    client.post("http://198.51.100.7", json={})
