"""Retrieval-augmented question answering, as in DSPy's RAG tutorial."""

import dspy


def search(query: str, k: int = 3) -> list[str]:
    """Search a small corpus of facts."""
    corpus = ["Paris is the capital of France.", "The Seine flows through Paris."]
    return corpus[:k]


class GenerateAnswer(dspy.Signature):
    """Answer questions with short factoid answers."""

    context: list[str] = dspy.InputField(desc="may contain relevant facts")
    question: str = dspy.InputField()
    answer: str = dspy.OutputField(desc="often between 1 and 5 words")


class RAG(dspy.Module):
    """Retrieve passages, then answer from them."""

    def __init__(self, num_passages=3):
        super().__init__()
        self.num_passages = num_passages
        self.generate_answer = dspy.ChainOfThought(GenerateAnswer)

    def forward(self, question):
        context = search(question, k=self.num_passages)
        prediction = self.generate_answer(context=context, question=question)
        return dspy.Prediction(context=context, answer=prediction.answer)
