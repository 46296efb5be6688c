"""Instruction optimization with COPRO."""
import dspy
from dspy.teleprompt import COPRO


class Intent(dspy.Signature):
    """Classify the customer's intent."""

    message: str = dspy.InputField()
    intent: str = dspy.OutputField()


program = dspy.Predict(Intent)
trainset = [dspy.Example(message="I want my money back", intent="refund").with_inputs("message")]


def intent_match(example, pred, trace=None):
    return example.intent == pred.intent


if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    teleprompter = COPRO(metric=intent_match, breadth=4, depth=2)
    optimized = teleprompter.compile(program, trainset=trainset, eval_kwargs={"num_threads": 2})
