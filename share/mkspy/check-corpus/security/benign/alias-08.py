# benign: a local variable named code
import dspy

code = dspy.ProgramOfThought("question -> answer")


def ask(question):
    return code(question=question)
