# benign: a predictor named extract
import dspy


class Extract(dspy.Signature):
    """Extract the entities."""

    text: str = dspy.InputField()
    entities: list[str] = dspy.OutputField()


class Program(dspy.Module):
    def __init__(self):
        super().__init__()
        self.extract = dspy.Predict(Extract)

    def forward(self, text):
        return self.extract(text=text)
