# benign: Path.read_text
from pathlib import Path

prompt = Path("prompt.txt").read_text()
exists = Path("out").exists()
