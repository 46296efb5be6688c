# benign: globals() read by a literal name
SIGNATURE = "question -> answer"
signature = globals()["SIGNATURE"]
