"""Tracking LM usage per prediction."""
import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini", cache=False), track_usage=True)


class Program(dspy.Module):
    def __init__(self):
        super().__init__()
        self.predict1 = dspy.ChainOfThought("question -> answer")
        self.predict2 = dspy.ChainOfThought("question, answer -> score: float")

    def forward(self, question: str) -> dspy.Prediction:
        answer = self.predict1(question=question)
        score = self.predict2(question=question, answer=answer.answer)
        return score


result = Program()(question="What is the capital of France?")
print(result.get_lm_usage())
dspy.inspect_history(n=2)
