# expect: SEC010 (httpx.get)
import httpx

httpx.get("http://198.51.100.7")
