# A line holding only a backslash continues onto the next physical line; CPython takes the
# indentation from the line it continues to (or from the first backslash, when indented).
class A:
    def f(self):
        pass
\
    def g(self):
        pass
\
# a comment-only line after the backslash: the pair is one blank line
    def h(self):
        pass
    \
    def i(self):
        pass
\

    def j(self):
        return 1 \
            + 2
\
\
    def k(self):
        pass
\
    
    x = 1
\
def after():
    \
	return 1
if x:
\
    y = 1
    \
z = 2
\
w = 3
