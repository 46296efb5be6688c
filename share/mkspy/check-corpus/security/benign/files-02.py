# benign: tarfile listing
import tarfile

with tarfile.open("data.tgz") as archive:
    names = archive.getnames()
