"""Retrieval-augmented generation over a small in-memory corpus."""
import dspy

PASSAGES = [
    "The Eiffel Tower is in Paris and was completed in 1889.",
    "The Louvre is the world's most visited museum.",
    "Mount Everest is the highest mountain above sea level.",
]


def search(query: str, k: int = 2) -> list[str]:
    words = set(query.lower().split())
    ranked = sorted(PASSAGES, key=lambda p: -len(words & set(p.lower().split())))
    return ranked[:k]


class RAG(dspy.Module):
    def __init__(self, num_passages: int = 2):
        super().__init__()
        self.num_passages = num_passages
        self.respond = dspy.ChainOfThought("context: list[str], question -> response")

    def forward(self, question):
        context = search(question, k=self.num_passages)
        return self.respond(context=context, question=question)


rag = RAG()
