"""Compiling few-shot demos with BootstrapFewShot."""
import dspy
from dspy.teleprompt import BootstrapFewShot


class TopicClassifier(dspy.Module):
    def __init__(self):
        super().__init__()
        self.predict = dspy.Predict("headline -> topic")

    def forward(self, headline):
        prediction = self.predict(headline=headline)
        return dspy.Prediction(topic=prediction.topic)


def topic_match(example, prediction, trace=None):
    return example.topic.lower() == prediction.topic.lower()


trainset = [
    dspy.Example(headline="Stocks rally as rates hold", topic="finance").with_inputs("headline"),
    dspy.Example(headline="Local team wins the cup", topic="sports").with_inputs("headline"),
]

optimizer = BootstrapFewShot(metric=topic_match, max_bootstrapped_demos=4, max_labeled_demos=16)

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    compiled = optimizer.compile(TopicClassifier(), trainset=trainset)
    print(compiled(headline="Central bank raises rates").topic)
