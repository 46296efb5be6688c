"""Building signatures at run time from strings and field dictionaries."""
import dspy

Translate = dspy.Signature("text, target_language -> translation", "Translate the text into the target language.")
Grade = dspy.Signature(
    {
        "essay": (str, dspy.InputField()),
        "grade": (int, dspy.OutputField(desc="from 1 to 10")),
    },
    "Grade the essay.",
)

translator = dspy.Predict(Translate)
grader = dspy.ChainOfThought(Grade)
