"""ProgramOfThought writes and runs code in DSPy's sandboxed interpreter."""
import dspy


class ArithmeticWord(dspy.Signature):
    """Solve the arithmetic word problem."""

    problem: str = dspy.InputField()
    answer: float = dspy.OutputField()


class Solver(dspy.Module):
    def __init__(self):
        super().__init__()
        self.pot = dspy.ProgramOfThought(ArithmeticWord, max_iters=3)

    def forward(self, problem):
        try:
            return self.pot(problem=problem)
        except RuntimeError:
            return dspy.Prediction(answer=float("nan"))
