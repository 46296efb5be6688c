import dspy


def one_word(args, pred):
    return 1.0 if len(pred.answer.split()) == 1 else 0.0


class Careful(dspy.Module):
    def __init__(self):
        super().__init__()
        qa = dspy.ChainOfThought("question -> answer")
        self.refine = dspy.Refine(module=qa, N=3, reward_fn=one_word, threshold=1.0)
        self.best = dspy.BestOfN(dspy.Predict("question -> answer"), 2, one_word, 1.0)
        self.compare = dspy.MultiChainComparison("question -> answer", M=2)
        self.solve = dspy.ProgramOfThought("question -> answer: float")

    def forward(self, question):
        return self.refine(question=question)
