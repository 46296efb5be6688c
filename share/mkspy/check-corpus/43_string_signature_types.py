"""String signatures with rich type annotations, as DSPy reads them."""
from typing import Literal, Optional

import dspy

triage = dspy.Predict("ticket: str, history: list[str] -> priority: Literal['low', 'medium', 'high'], assignee: Optional[str]")
scores = dspy.Predict("essay -> scores: dict[str, int], overall: float")
tags = dspy.ChainOfThought("article: str -> tags: list[str], is_opinion: bool")
pairs = dspy.Predict("text -> pairs: list[tuple[str, int]]")
