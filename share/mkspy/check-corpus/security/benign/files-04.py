# benign: shutil.which
import shutil

python = shutil.which("python3")
