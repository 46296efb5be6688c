# benign: a cache folder made in the working directory (a warning)
from pathlib import Path

Path("cache").mkdir(exist_ok=True)
Path("cache/notes.txt").write_text("x")
