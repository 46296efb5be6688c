// MkspyCheck: see its issue.
