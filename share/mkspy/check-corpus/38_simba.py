"""SIMBA: stochastic introspective mini-batch ascent."""
import dspy


class Agent(dspy.Module):
    def __init__(self):
        super().__init__()
        self.plan = dspy.ChainOfThought("task -> plan: list[str]")
        self.act = dspy.Predict("task, plan: list[str] -> result")

    def forward(self, task):
        plan = self.plan(task=task).plan
        outcome = self.act(task=task, plan=plan)
        return dspy.Prediction(plan=plan, result=outcome.result)


def success(example, prediction, trace=None):
    return float(example.result.lower() in prediction.result.lower())


if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    trainset = [dspy.Example(task="Sort 3, 1, 2", result="1, 2, 3").with_inputs("task")]
    simba = dspy.SIMBA(metric=success, max_steps=4, bsize=2)
    optimized_agent = simba.compile(Agent(), trainset=trainset, seed=6793115)
