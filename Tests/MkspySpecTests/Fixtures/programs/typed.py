from typing import Literal, Optional

import dspy
from pydantic import BaseModel, Field


class Citation(BaseModel):
    source: str = Field(description="where the claim comes from")
    page: Optional[int] = None


Label = Literal["positive", "negative", "neutral"]


class Classify(dspy.Signature):
    """Classify the sentiment of a sentence.

    Consider sarcasm: it usually flips the sentiment.
    """

    sentence: str = dspy.InputField()
    sentiment: Label = dspy.OutputField()
    confidence: float = dspy.OutputField(desc="between 0 and 1")


class ExtractFacts(dspy.Signature):
    text: str = dspy.InputField()
    claims: list[str] = dspy.OutputField()
    citations: list[Citation] = dspy.OutputField()
    verdict: Literal['true', "false"] | None = dspy.OutputField()


class ExtractMore(ExtractFacts):
    language = dspy.InputField(desc="an ISO code")
    summary: Optional[str] = dspy.OutputField(prefix="Summary of claims:")


class ReadText(ExtractFacts):
    """Read the text closely."""

    text: str = dspy.InputField(desc="a news article")


class Analyze(dspy.Module):
    def __init__(self):
        super().__init__()
        self.classify = dspy.Predict(Classify)
        self.extract = dspy.ChainOfThought(ExtractFacts)
        self.more = dspy.Predict(ExtractMore)
        self.read = dspy.Predict(ReadText)
        self.brief = dspy.Predict(Classify.with_instructions("Classify briefly."))

    def forward(self, sentence: str, text: str, language: str = "en"):
        return self.classify(sentence=sentence)
