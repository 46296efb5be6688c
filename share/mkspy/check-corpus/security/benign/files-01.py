# benign: zipfile listing
import zipfile

with zipfile.ZipFile("data.zip") as archive:
    names = archive.namelist()
