x = a[b:*c]
