"""A hand-written program for the sentiment_python_metric example, as mkspy-gen would write it."""

from typing import Literal

import dspy

Sentiment = Literal["positive", "negative", "neutral", "mixed"]


class ClassifySentiment(dspy.Signature):
    """Decide how the reviewer feels about the product overall."""

    review: str = dspy.InputField(desc="a customer's review of a product they bought")
    sentiment: Sentiment = dspy.OutputField(desc="the overall sentiment")


class SentimentPythonMetric(dspy.Module):
    def __init__(self):
        super().__init__()
        self.classify_sentiment = dspy.Predict(ClassifySentiment)

    def forward(self, review):
        result = self.classify_sentiment(review=review)
        return dspy.Prediction(sentiment=result["sentiment"])
