"""Modules that derive from dspy.Module through a shared local base class."""
import dspy


class Step(dspy.Module):
    """A module with one predictor; subclasses set the signature."""

    signature = "text -> label"

    def __init__(self):
        super().__init__()
        self.predict = dspy.Predict(self.signature)

    def forward(self, text):
        return self.predict(text=text)


class Language(Step):
    signature = "text -> language"


class Toxicity(Step):
    signature = "text -> toxic: bool"

    def forward(self, text):
        prediction = super().forward(text=text)
        return dspy.Prediction(toxic=bool(prediction.toxic))
