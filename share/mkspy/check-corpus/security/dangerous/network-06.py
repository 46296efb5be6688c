# expect: SEC010 (http.client)
import http.client

conn = http.client.HTTPSConnection("evil.example")
