# benign: numpy.load without pickles
import numpy as np

arr = np.load("x.npy")
safe = np.load("y.npy", allow_pickle=False)
