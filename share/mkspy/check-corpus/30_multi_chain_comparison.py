"""Comparing several reasoning attempts with MultiChainComparison."""
import dspy


class Answer(dspy.Signature):
    """Answer the question with a number."""

    question: str = dspy.InputField()
    answer: str = dspy.OutputField()


class Compare(dspy.Module):
    def __init__(self, attempts: int = 3):
        super().__init__()
        self.attempts = attempts
        self.cot = dspy.ChainOfThought(Answer)
        self.compare = dspy.MultiChainComparison(Answer, M=attempts)

    def forward(self, question):
        completions = [self.cot(question=question, config={"rollout_id": i, "temperature": 1.0}) for i in range(self.attempts)]
        return self.compare(completions, question=question)
