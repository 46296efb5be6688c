# benign: os.path functions aliased
import os

join = os.path.join
path = join("data", "train.json")
