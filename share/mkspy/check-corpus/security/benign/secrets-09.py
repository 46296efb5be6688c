# benign: a file whose name mentions ssh
with open("ssh_notes.txt") as f:
    notes = f.read()
