import MkspyCore
