# expect: SEC004 (shutil.unpack_archive)
import shutil

shutil.unpack_archive("a.zip", "/")
