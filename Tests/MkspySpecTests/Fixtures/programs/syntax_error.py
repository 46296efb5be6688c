import dspy


class Broken(dspy.Module):
    def __init__(self):
        super().__init__()
        self.answer = dspy.Predict("question -> answer"

    def forward(self, question):
        return self.answer(question=question)
