# expect: SEC001 (runpy.run_module)
import runpy

runpy.run_module("http.server")
