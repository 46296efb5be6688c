from typing import Optional

import dspy
from dspy import ReAct as Agent


def lookup_weather(city: str, unit: Optional[str] = "celsius") -> str:
    """Look up the weather in a city.

    Returns a short report."""
    return f"It is sunny in {city}."


def add(a: int, b: int = 1, *, precise: bool = False) -> int:
    return a + b


def search_notes(query, tags: list[str] = [], limit: float = 2.5):
    """Search the user's notes for it's tags."""
    return []


class Assistant(dspy.Module):
    def __init__(self):
        super().__init__()
        self.agent = Agent("question -> answer", tools=[lookup_weather, add, dspy.Tool(search_notes)])
        self.planner = dspy.ReAct("task: str, notes: list[str] -> plan: list[str], done: bool", tools=[add], max_iters=3)

    def forward(self, question):
        return self.agent(question=question)
