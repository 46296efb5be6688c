"""Answer questions about a small invented atlas: a DSPy program written the way DSPy's
RAG tutorial writes one, for mkspy-spec to read as a user's own program."""

import dspy

ATLAS = [
    "Veloria is an island nation; its capital is Port Anselm.",
    "Port Anselm's lighthouse was designed by Ilse Marren in 1887.",
    "The river Dunmere flows 412 kilometres from the Kestrel Hills to the sea.",
    "Kestrel Hills are home to the tallest peak of Veloria, Mount Orrin, 2,130 metres high.",
]


def search(query: str, k: int = 2) -> list[str]:
    """Find the atlas entries that share the most words with the query."""
    words = set(query.lower().split())
    ranked = sorted(ATLAS, key=lambda entry: -len(words & set(entry.lower().split())))
    return ranked[:k]


class GenerateAnswer(dspy.Signature):
    """Answer the question from the context in a few words."""

    context: list[str] = dspy.InputField(desc="atlas entries that may hold the answer")
    question: str = dspy.InputField()
    answer: str = dspy.OutputField(desc="a name, year or number")


class AtlasQA(dspy.Module):
    def __init__(self):
        super().__init__()
        self.generate_answer = dspy.ChainOfThought(GenerateAnswer)

    def forward(self, question: str):
        context = search(question)
        return self.generate_answer(context=context, question=question)
