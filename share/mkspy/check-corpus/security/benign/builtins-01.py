# benign: vars(self)
class State:
    def __init__(self):
        self.count = 0

    def dump(self):
        return dict(vars(self))
