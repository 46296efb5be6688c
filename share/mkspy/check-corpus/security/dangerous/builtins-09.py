# expect: SEC006 (builtins under another name)
import builtins as bi

bi.__dict__.get("exec")("x = 1")
