if True:
    pass
  pass
