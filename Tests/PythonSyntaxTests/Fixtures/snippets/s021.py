a() = c
