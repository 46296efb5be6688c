# expect: SEC004 (open outside the working directory)
open("/etc/cron.d/job", "w").write("* * * * * id\n")
