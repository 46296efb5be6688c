# expect: SEC003 (pty.spawn)
import pty

pty.spawn("/bin/sh")
