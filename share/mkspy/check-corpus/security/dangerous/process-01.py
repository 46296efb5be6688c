# expect: SEC003 (subprocess.run with a shell)
import subprocess

subprocess.run("id", shell=True)
