class A:
    def f(self): pass
      # comment at odd indent
    def g(self): pass
