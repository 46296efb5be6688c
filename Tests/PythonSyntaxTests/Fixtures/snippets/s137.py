x = lambda x=yield: 0
