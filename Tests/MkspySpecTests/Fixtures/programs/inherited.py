"""Shapes a program takes from its base class and from Python's builtins: a constructor run
through super().__init__(**kwargs) and through Base.__init__(self), a predictor repeated with
[p] * n, containers built with dict() and list(), a comprehension and a for loop over known
items, an attribute deleted, and an instruction whose later lines are indented more than the
rest."""

import dspy


class Answer(dspy.Signature):
    question: str = dspy.InputField()
    answer: str = dspy.OutputField()


class Base(dspy.Module):
    def __init__(self, hops=2):
        super().__init__()
        self.query = [dspy.Predict("question -> search_query")] * hops
        self.answer = dspy.ChainOfThought("context, question -> answer")

    def forward(self, question):
        return self.answer(context=[], question=question)


class Middle(Base):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.draft = dspy.Predict("question -> draft")
        self.steps = dict(polish=dspy.Predict("draft -> text"), check=dspy.Predict("text -> verdict: bool"))
        del self.draft


class Layered(Middle):
    def __init__(self):
        Middle.__init__(self, hops=3)
        self.wrapped = list((dspy.Predict("text -> title"),))
        self.drafts = [dspy.Predict("question -> draft") for _ in range(2)]
        self.critics = []
        for tone in ["formal", "casual"]:
            self.critics.append(dspy.ChainOfThought("draft -> critique"))
        self.brief = dspy.Predict(Answer.with_instructions("""
            Answer the question.
              - Be brief.
        """))
