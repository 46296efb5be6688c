"""Extracting entities as a typed list."""
import dspy


class ExtractPeople(dspy.Signature):
    """Extract the names of every person mentioned in the text."""

    text: str = dspy.InputField()
    people: list[str] = dspy.OutputField(desc="full names in order of appearance")


class PeopleExtractor(dspy.Module):
    def __init__(self):
        super().__init__()
        self.extract = dspy.Predict(ExtractPeople)

    def forward(self, text):
        found = self.extract(text=text)
        people = [p.strip() for p in found.people if p.strip()]
        return dspy.Prediction(people=people)
