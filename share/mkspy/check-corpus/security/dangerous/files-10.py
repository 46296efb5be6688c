# expect: SEC004 (shutil.rmtree)
import shutil

shutil.rmtree("/home")
