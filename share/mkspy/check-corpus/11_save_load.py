"""Saving an optimized program's state to JSON and loading it back."""
import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))


class Classifier(dspy.Module):
    def __init__(self):
        super().__init__()
        self.classify = dspy.Predict("text -> label: str")

    def forward(self, text):
        return self.classify(text=text)


compiled = Classifier()
compiled.save("./classifier.json", save_program=False)

loaded = Classifier()
loaded.load(path="./classifier.json")
print(loaded(text="The package arrived broken.").label)
