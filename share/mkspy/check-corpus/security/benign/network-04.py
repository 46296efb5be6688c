# benign: email address parsing
import email.utils

name, address = email.utils.parseaddr("A <a@example.com>")
