# expect: SEC003 (killing the parent)
import os
import signal

os.kill(os.getppid(), signal.SIGKILL)
