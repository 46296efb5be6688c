# benign: getattr(dspy, literal)
import dspy

strategy = getattr(dspy, "ChainOfThought")
