"""Choosing an adapter: JSONAdapter for structured outputs, ChatAdapter by default."""
import dspy

lm = dspy.LM("openai/gpt-4o-mini", max_tokens=2000)
dspy.configure(lm=lm, adapter=dspy.JSONAdapter())


class Parse(dspy.Signature):
    """Parse the address into its parts."""

    address: str = dspy.InputField()
    street: str = dspy.OutputField()
    city: str = dspy.OutputField()
    postcode: str | None = dspy.OutputField()


parse = dspy.Predict(Parse)

with dspy.context(adapter=dspy.ChatAdapter()):
    parsed = parse(address="10 Downing Street, London SW1A 2AA")
    print(parsed.city)
