café = 1
ｗｉｄｔｈ = 2
µ = 3
名前 = "値"
print(café, width, μ, 名前)
x = "😀"; y = "é"
