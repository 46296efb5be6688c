# benign: a result file written in the working directory (a warning)
import json

with open("results.json", "w") as f:
    json.dump({"score": 1}, f)
