# benign: saving a DSPy program
import dspy

program = dspy.Predict("question -> answer")
program.save("program.json")
