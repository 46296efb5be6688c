// MkspyRuntime: see its issue.
