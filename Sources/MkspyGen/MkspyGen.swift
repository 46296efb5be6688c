// MkspyGen: see its issue.
