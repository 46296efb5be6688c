# expect: SEC003 (from subprocess import run)
from subprocess import run

run(["id"])
