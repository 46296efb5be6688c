# benign: ProgramOfThought
import dspy

solver = dspy.ProgramOfThought("question -> answer: float")
