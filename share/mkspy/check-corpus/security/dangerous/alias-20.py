# expect: SEC003 (os.system kept on self)
import os

import dspy


class Agent(dspy.Module):
    def __init__(self):
        super().__init__()
        self.runner = os.system

    def forward(self, question):
        self.runner(question)
        return dspy.Prediction(answer="")
