# expect: SEC004 (extractall on a with-target)
import tarfile

with tarfile.open("a.tgz") as archive:
    archive.extractall()
