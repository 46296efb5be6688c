if True:
  pass
    pass
