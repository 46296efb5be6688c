# benign: getattr on a prediction
def field(prediction, name):
    return getattr(prediction, name, None)
