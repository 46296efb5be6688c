# expect: SEC008 (''.__class__.__mro__)
base = "".__class__.__mro__[1]
