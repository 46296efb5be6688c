# expect: SEC004 (zipfile extract)
import zipfile


def unpack(p):
    zipfile.ZipFile(p).extract("x", "/etc")
