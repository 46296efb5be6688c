# expect: SEC004 (Path.write_text)
from pathlib import Path

Path("/tmp/x").write_text("y")
