import MkspyCore

// Not built yet: see the project's issue for mkspy-evolve.
printError("mkspy-evolve: not implemented yet")
exit(.cannotProceed)
