print(**c, *a)
