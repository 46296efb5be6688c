"""Ensembling several compiled programs."""
import dspy
from dspy.teleprompt import Ensemble


class Guess(dspy.Module):
    def __init__(self):
        super().__init__()
        self.guess = dspy.Predict("riddle -> answer")

    def forward(self, riddle):
        return self.guess(riddle=riddle)


programs = [Guess() for _ in range(3)]
ensemble = Ensemble(reduce_fn=dspy.majority).compile(programs)
