"""A module that keeps asking until the answer passes a check."""
import dspy


class SelfCheck(dspy.Module):
    def __init__(self, attempts: int = 3):
        super().__init__()
        self.attempts = attempts
        self.answer = dspy.ChainOfThought("question -> answer")
        self.verify = dspy.Predict("question, answer -> is_correct: bool")

    def forward(self, question):
        tries = 0
        while True:
            tries += 1
            answer = self.answer(question=question).answer
            verdict = self.verify(question=question, answer=answer)
            if verdict.is_correct or tries >= self.attempts:
                return dspy.Prediction(answer=answer, tries=tries)
