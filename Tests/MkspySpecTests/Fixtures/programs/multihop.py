import dspy


class GenerateQuery(dspy.Signature):
    """Write a search query that helps answer the question."""

    context: list[str] = dspy.InputField()
    question: str = dspy.InputField()
    query: str = dspy.OutputField()


class Hop(dspy.Module):
    def __init__(self, instruction="Write a search query."):
        super().__init__()
        self.generate_query = dspy.ChainOfThought(GenerateQuery)
        self.rewrite = dspy.Predict(dspy.Signature("query -> better_query", instruction))

    def forward(self, context, question):
        return self.generate_query(context=context, question=question)


class Judge(Hop):
    def __init__(self):
        super().__init__(instruction="Rewrite the query for a judge.")
        self.verdict = dspy.Predict("question, answer -> correct: bool")


class MultiHop(dspy.Module):
    def __init__(self):
        super().__init__()
        self.hops = [Hop(), Hop("Rewrite it shorter.")]
        self.steps = {"draft": dspy.Predict("question -> draft"), "final": dspy.ChainOfThought("draft -> answer")}
        shared = dspy.Predict("question -> answer")
        self.first = shared
        self.again = shared
        self.judge = Judge()
        self._build()
        self.first = dspy.Predict("question -> first_answer")

    def _build(self):
        self.late = dspy.Predict("answer -> critique")

    def forward(self, question):
        context = []
        for hop in self.hops:
            query = hop(context=context, question=question).query
            context.append(query)
        return self.steps["final"](draft=question)
