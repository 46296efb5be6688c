"""Counting words per category into a dict output."""
import dspy
from typing import Optional


class CountMentions(dspy.Signature):
    """Count how often each product is mentioned in the reviews."""

    reviews: list[str] = dspy.InputField()
    mentions: dict[str, int] = dspy.OutputField()
    top_product: Optional[str] = dspy.OutputField(desc="None when no product is mentioned")


class MentionCounter(dspy.Module):
    def __init__(self):
        super().__init__()
        self.count = dspy.Predict(CountMentions)

    def forward(self, reviews: list[str]):
        if not reviews:
            return dspy.Prediction(mentions={}, top_product=None)
        counted = self.count(reviews=reviews)
        return dspy.Prediction(mentions=counted.mentions, top_product=counted.top_product)
