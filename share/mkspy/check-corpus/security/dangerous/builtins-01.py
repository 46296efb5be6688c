# expect: SEC006 (getattr(__builtins__, 'eval'))
getattr(__builtins__, "eval")("1")
