"""Optimizing a RAG program's instructions and demos with MIPROv2."""
import dspy
from dspy.evaluate import SemanticF1


class RAG(dspy.Module):
    def __init__(self):
        super().__init__()
        self.respond = dspy.ChainOfThought("context, question -> response")

    def forward(self, question, context):
        return self.respond(context=context, question=question)


def load_trainset():
    rows = [("Where is the Louvre?", "Paris", "The Louvre is in Paris.")]
    return [dspy.Example(question=q, response=r, context=c).with_inputs("question", "context") for q, r, c in rows]


if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    trainset = load_trainset()
    metric = SemanticF1(decompositional=True)
    tp = dspy.MIPROv2(metric=metric, auto="medium", num_threads=8)
    optimized_rag = tp.compile(RAG(), trainset=trainset, max_bootstrapped_demos=2, max_labeled_demos=2)
    optimized_rag.save("optimized_rag.json")
