"""BootstrapFewShotWithRandomSearch with a metric that is stricter while bootstrapping."""
import dspy
from dspy.teleprompt import BootstrapFewShotWithRandomSearch


def validate_answer(example, pred, trace=None):
    correct = example.answer.lower() in pred.answer.lower()
    if trace is not None:
        return correct and len(pred.answer) < 80
    return float(correct)


class QA(dspy.Module):
    def __init__(self):
        super().__init__()
        self.answer = dspy.ChainOfThought("question -> answer")

    def forward(self, question):
        return self.answer(question=question)


trainset = [dspy.Example(question="Largest planet?", answer="Jupiter").with_inputs("question")]

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    optimizer = BootstrapFewShotWithRandomSearch(metric=validate_answer, max_bootstrapped_demos=2, num_candidate_programs=4)
    compiled = optimizer.compile(QA(), trainset=trainset)
