# expect: SEC005 (numpy.load with allow_pickle)
import numpy as np

arr = np.load("x.npy", allow_pickle=True)
