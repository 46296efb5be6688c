import MkspyCore

// Not built yet: see the project's issue for mkspy-check.
printError("mkspy-check: not implemented yet")
exit(.cannotProceed)
