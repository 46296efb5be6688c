# benign: pickle.dumps
import pickle

blob = pickle.dumps({"a": 1})
