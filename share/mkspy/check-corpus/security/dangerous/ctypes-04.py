# expect: SEC009 (ctypes.pythonapi)
import ctypes

ctypes.pythonapi.PyRun_SimpleString(b"print(1)")
