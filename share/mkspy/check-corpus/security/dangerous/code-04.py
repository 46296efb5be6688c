# expect: SEC001 (runpy.run_path)
import runpy

runpy.run_path("/tmp/x.py")
