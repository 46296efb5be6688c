"""Predictors in the places DSPy's named_parameters() looks: a list, a tuple, a dict, one
predictor under two names (listed once, by its first name), and sub-modules two levels deep."""

from typing import Literal

import dspy


class Grade(dspy.Signature):
    """Grade the essay."""

    essay: str = dspy.InputField()
    grade: Literal["A", "B", "C"] = dspy.OutputField()
    confidence: float = dspy.OutputField(desc="between 0 and 1")


class Critic(dspy.Module):
    def __init__(self):
        super().__init__()
        self.grade = dspy.ChainOfThought(Grade)

    def forward(self, essay):
        return self.grade(essay=essay)


class Panel(dspy.Module):
    def __init__(self):
        super().__init__()
        self.critics = [Critic(), Critic()]
        self.chair = Critic()

    def forward(self, essay):
        return self.chair(essay=essay)


class Review(dspy.Module):
    def __init__(self):
        super().__init__()
        shared = dspy.Predict("essay -> summary")
        self.summarize = shared
        self.steps = [dspy.Predict("summary -> keywords: list[str]"), shared]
        self.pair = (dspy.ChainOfThought("essay, summary -> verdict: bool"),)
        self.by_tone = {"formal": dspy.Predict("essay -> formal_note"), "casual": dspy.Predict("essay -> casual_note")}
        self.panel = Panel()

    def forward(self, essay: str, strict: bool = False):
        summary = self.summarize(essay=essay).summary
        return self.panel(essay=essay)
