# expect: SEC010 (smtplib)
import smtplib

smtplib.SMTP("mail.example").sendmail("a@x", ["b@y"], "hi")
