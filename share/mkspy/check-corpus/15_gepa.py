"""Reflective prompt evolution with dspy.GEPA and a metric that gives feedback."""
import dspy


class MathSolver(dspy.Module):
    def __init__(self):
        super().__init__()
        self.solve = dspy.ChainOfThought("problem -> answer: int")

    def forward(self, problem):
        return self.solve(problem=problem)


def metric_with_feedback(gold, pred, trace=None, pred_name=None, pred_trace=None):
    correct = int(gold.answer) == pred.answer
    score = 1.0 if correct else 0.0
    if correct:
        feedback = "The answer is correct."
    else:
        feedback = f"The answer should be {gold.answer}; check each arithmetic step."
    return dspy.Prediction(score=score, feedback=feedback)


trainset = [dspy.Example(problem="What is 12 * 12?", answer="144").with_inputs("problem")]
valset = [dspy.Example(problem="What is 7 * 8?", answer="56").with_inputs("problem")]

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    optimizer = dspy.GEPA(
        metric=metric_with_feedback,
        auto="light",
        num_threads=4,
        track_stats=True,
        reflection_lm=dspy.LM("openai/gpt-4o", temperature=1.0, max_tokens=32000),
    )
    optimized = optimizer.compile(MathSolver(), trainset=trainset, valset=valset)
    print(optimized(problem="What is 9 * 9?").answer)
