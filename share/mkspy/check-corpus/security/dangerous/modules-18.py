# expect: SEC003 (the posix module)
import posix

posix.system("id")
