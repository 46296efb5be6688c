"""Running a module over many examples in parallel threads."""
import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))

translate = dspy.Predict("english_text -> french_text")
examples = [
    dspy.Example(english_text="Good morning").with_inputs("english_text"),
    dspy.Example(english_text="Thank you very much").with_inputs("english_text"),
]
results = translate.batch(examples, num_threads=4, max_errors=2)
for example, result in zip(examples, results):
    print(example.english_text, "->", result.french_text)

parallel = dspy.Parallel(num_threads=2)
pairs = [(translate, example) for example in examples]
outputs = parallel(pairs)
