# expect: SEC011 (~/.ssh/id_rsa through pathlib)
from pathlib import Path

key = (Path.home() / ".ssh" / "id_rsa").read_text()
