# expect: SEC005 (dill.load)
import dill

with open("state.pkl", "rb") as f:
    state = dill.load(f)
