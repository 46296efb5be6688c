# expect: SEC010 (ftplib)
import ftplib

ftplib.FTP("198.51.100.7")
