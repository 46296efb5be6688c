# expect: SEC011 (an API key returned in the prediction)
import os

import dspy


class Leak(dspy.Module):
    def forward(self, question):
        key = os.getenv("OPENAI_API_KEY")
        return dspy.Prediction(answer=key)
