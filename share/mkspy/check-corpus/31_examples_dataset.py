"""Building a dataset of dspy.Example objects and splitting it."""
import random

import dspy

raw = [
    {"claim": "The moon is made of cheese.", "verdict": "false"},
    {"claim": "Water boils at 100 C at sea level.", "verdict": "true"},
    {"claim": "Paris is the capital of Italy.", "verdict": "false"},
    {"claim": "Spiders have eight legs.", "verdict": "true"},
]
dataset = [dspy.Example(**row).with_inputs("claim") for row in raw]
random.Random(0).shuffle(dataset)
trainset, devset = dataset[:2], dataset[2:]


class FactCheck(dspy.Signature):
    """Decide whether the claim is true or false."""

    claim: str = dspy.InputField()
    verdict: bool = dspy.OutputField()


checker = dspy.ChainOfThought(FactCheck)


def verdict_match(example, pred, trace=None):
    return (example.verdict == "true") == pred.verdict


evaluate = dspy.Evaluate(devset=devset, metric=verdict_match, num_threads=2)
