"""Ask a question with dspy.Predict and a string signature."""
import dspy

lm = dspy.LM("openai/gpt-4o-mini", temperature=0.0)
dspy.configure(lm=lm)

qa = dspy.Predict("question -> answer")
response = qa(question="What is the capital of France?")
print(response.answer)
