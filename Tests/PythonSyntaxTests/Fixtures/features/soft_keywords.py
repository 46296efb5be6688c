type X = int
type ListOrSet[T] = list[T] | set[T]
type = 5
type.x = 1
print(type)
_ = 1
match(1)
def match(type, case, _): return type
