# benign: subprocess constants in a type hint
import dspy


def describe(status: int) -> str:
    return "failed" if status else "ok"
