# expect: SEC001 (comprehension variable does not hide exec)
names = [exec for exec in range(3)]
exec("x = 1")
