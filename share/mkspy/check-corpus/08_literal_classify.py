"""Sentiment classification with a Literal output and a confidence score."""
from typing import Literal

import dspy


class Classify(dspy.Signature):
    """Classify the sentiment of a sentence."""

    sentence: str = dspy.InputField()
    sentiment: Literal["positive", "negative", "neutral"] = dspy.OutputField()
    confidence: float = dspy.OutputField()


classify = dspy.Predict(Classify)

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    print(classify(sentence="This book was super fun to read, though not the last chapter."))
