import dspy


class Classifier(dspy.Module):
    def __init__(self, labels, instructions="Pick one label.", *, temperature):
        super().__init__()
        self.labels = labels
        self.classify = dspy.Predict(dspy.Signature("text -> label", instructions))

    def forward(self, text):
        return self.classify(text=text)
