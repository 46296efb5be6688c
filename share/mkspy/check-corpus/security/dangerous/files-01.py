# expect: SEC004 (tarfile extractall)
import tarfile

tarfile.open("a.tgz").extractall("/")
