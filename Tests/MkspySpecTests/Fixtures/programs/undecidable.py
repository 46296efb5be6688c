import dspy
from helpers import Expert, SharedSignature

TOPICS = ["math", "history"]


class Panel(dspy.Module):
    def __init__(self, use_cot=True):
        super().__init__()
        self.experts = []
        for topic in sorted(TOPICS):  # what sorted() gives is not read
            self.experts.append(dspy.Predict("question -> answer"))
        self.drafts = [dspy.Predict("question -> draft") for _ in range(len(TOPICS) + 1)]
        if use_cot:
            self.final = dspy.ChainOfThought("question, answers: list[str] -> answer")
        else:
            self.final = dspy.Predict("question, answers: list[str] -> answer")
        self.helper = Expert()
        self.shared = dspy.Predict(SharedSignature)
        self.dynamic = dspy.Predict(f"{TOPICS[0]} -> verdict")

    def forward(self, question, **options):
        answers = [expert(question=question).answer for expert in self.experts]
        return self.final(question=question, answers=answers)
