# benign: json.loads
import json

data = json.loads("{}")
