"""A class-based signature inside a custom module."""
import dspy


class BasicQA(dspy.Signature):
    """Answer questions with short factoid answers."""

    question: str = dspy.InputField()
    answer: str = dspy.OutputField(desc="often between 1 and 5 words")


class QAProgram(dspy.Module):
    def __init__(self):
        super().__init__()
        self.generate_answer = dspy.ChainOfThought(BasicQA)

    def forward(self, question: str) -> dspy.Prediction:
        prediction = self.generate_answer(question=question)
        return dspy.Prediction(answer=prediction.answer)


if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    program = QAProgram()
    print(program(question="Who wrote Hamlet?").answer)
