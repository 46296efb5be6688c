# benign: a program loaded from JSON
import dspy

program = dspy.ChainOfThought("question -> answer")
program.load("program.json")
