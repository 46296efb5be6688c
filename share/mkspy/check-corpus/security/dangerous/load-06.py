# expect: SEC005 (pickle.loads)
import pickle


def restore(blob):
    return pickle.loads(blob)
