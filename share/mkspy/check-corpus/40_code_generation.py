"""Generating code as an output field; the program only returns it, never runs it."""
import dspy


class WriteFunction(dspy.Signature):
    """Write a Python function that satisfies the specification."""

    specification: str = dspy.InputField()
    code: dspy.Code["python"] = dspy.OutputField()
    explanation: str = dspy.OutputField()


class Coder(dspy.Module):
    def __init__(self):
        super().__init__()
        self.write = dspy.ChainOfThought(WriteFunction)

    def forward(self, specification):
        draft = self.write(specification=specification)
        return dspy.Prediction(code=draft.code.code, explanation=draft.explanation)
