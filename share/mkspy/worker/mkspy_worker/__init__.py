"""mkspy's DSPy runtime (see worker.py, its entry point)."""
