"""KNNFewShot picks the nearest training examples as demos for each input."""
import dspy
from dspy.teleprompt import KNNFewShot

trainset = [
    dspy.Example(question="What is the boiling point of water in Celsius?", answer="100").with_inputs("question"),
    dspy.Example(question="How many legs does a spider have?", answer="8").with_inputs("question"),
]

embedder = dspy.Embedder("openai/text-embedding-3-small", batch_size=16)
knn_optimizer = KNNFewShot(k=1, trainset=trainset, vectorizer=embedder)
qa = dspy.ChainOfThought("question -> answer")

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    compiled_qa = knn_optimizer.compile(qa)
    print(compiled_qa(question="How many legs does an ant have?").answer)
