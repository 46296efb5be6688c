# expect: SEC010 (a raw socket)
import socket

s = socket.socket()
s.connect(("198.51.100.7", 80))
