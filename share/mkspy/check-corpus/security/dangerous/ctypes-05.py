# expect: SEC009 (cffi)
import cffi

ffi = cffi.FFI()
