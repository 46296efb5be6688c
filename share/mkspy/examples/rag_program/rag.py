"""Answer questions about the invented town of Brackenford: a two-step retrieval-augmented
DSPy program, written by hand the way DSPy's tutorials write one. mkspy reads it as a user's
own program (mkspy-spec rag.py) and optimizes the instructions and demos of its predictors;
the code itself is never changed.

    import dspy
    from rag import RAG
    program = RAG()
    program.load("best.json")   # the state mkspy-evolve --best wrote (jq .state)
    program(question="Who founded Brackenford?").answer
"""

import dspy

CORPUS = [
    "Brackenford was founded in 1642 by the miller Agnes Tolliver on the banks of the river Wend.",
    "The river Wend rises in the Harrow Fells and reaches the sea at Saltmouth, 58 kilometres downstream.",
    "Brackenford's stone bridge has seven arches and was finished in 1781.",
    "The town's market is held every Thursday in Cooper Square.",
    "Cooper Square is named after the clockmaker Silas Cooper, who built the town clock in 1804.",
    "The town clock strikes thirteen times at noon on the first day of May.",
    "Brackenford Grammar School opened in 1859; its first headmistress was Hester Vane.",
    "The Harrow Fells' highest summit is Greyknott, 912 metres high.",
    "The Brackenford Lantern Festival takes place on the last Saturday of October.",
    "Saltmouth's harbour master in 1900 was Joseph Arkwright.",
    "The mill Agnes Tolliver built still grinds flour and is called Tolliver's Mill.",
    "Brackenford is twinned with the town of Lisieux-sur-Orne.",
]


def search(query: str, k: int = 3) -> list[str]:
    """The k passages that share the most words with the query (ties keep corpus order)."""
    words = {w.strip("?.,'").lower() for w in query.split()}
    overlap = lambda passage: len(words & {w.strip("?.,'").lower() for w in passage.split()})
    return sorted(CORPUS, key=lambda passage: -overlap(passage))[:k]


class AnswerFromContext(dspy.Signature):
    """Answer the question from the context. Reply with the answer alone: a name, a number,
    a year or a few words."""

    context: list[str] = dspy.InputField(desc="passages about Brackenford that may hold the answer")
    question: str = dspy.InputField()
    answer: str = dspy.OutputField(desc="the answer alone, as short as possible")


class RAG(dspy.Module):
    """Write a search query for the question, retrieve passages with it, answer from them."""

    def __init__(self, passages: int = 3):
        super().__init__()
        self.passages = passages
        self.generate_query = dspy.Predict("question -> search_query")
        self.generate_answer = dspy.ChainOfThought(AnswerFromContext)

    def forward(self, question: str):
        query = self.generate_query(question=question).search_query
        context = search(f"{query} {question}", k=self.passages)
        return self.generate_answer(context=context, question=question)
