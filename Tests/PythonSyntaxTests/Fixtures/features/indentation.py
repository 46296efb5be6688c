if x:
	if y:
		pass
	else:
	    pass
def f(
        a,
    b):
  return (a +
          b)
x = [
1,
  2,
]
y = 1 + \
    2
if z: \
   pass

     # a comment with odd indentation
def g():
    pass
    # trailing comment
