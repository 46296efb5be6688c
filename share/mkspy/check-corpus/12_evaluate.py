"""Evaluating a program on a dev set with dspy.Evaluate and a custom metric."""
import dspy

devset = [
    dspy.Example(question="What is 2 + 2?", answer="4").with_inputs("question"),
    dspy.Example(question="What colour is the sky on a clear day?", answer="blue").with_inputs("question"),
]


def answer_exact_match(example, pred, trace=None):
    return example.answer.strip().lower() == pred.answer.strip().lower()


program = dspy.ChainOfThought("question -> answer")
evaluator = dspy.Evaluate(devset=devset, metric=answer_exact_match, num_threads=4, display_progress=True, display_table=5)

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    result = evaluator(program)
    print(result.score)
