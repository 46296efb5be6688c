# benign: reading a file
with open("notes.txt") as f, open("more.bin", "rb") as g:
    text = f.read() + str(g.read())
