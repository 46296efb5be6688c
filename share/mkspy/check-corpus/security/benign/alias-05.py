# benign: a model's eval method
def freeze(model):
    model.eval()
    return model
