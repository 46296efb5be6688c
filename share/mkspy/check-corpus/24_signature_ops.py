"""Deriving signatures: with_instructions, append, and inheritance."""
import dspy


class Base(dspy.Signature):
    """Answer the question."""

    question: str = dspy.InputField()
    answer: str = dspy.OutputField()


class CitedAnswer(Base):
    """Answer the question and cite the passage used."""

    citation: str = dspy.OutputField(desc="the sentence the answer comes from")


Terse = Base.with_instructions("Answer in at most five words.")
WithContext = Base.prepend("context", dspy.InputField(desc="facts that may help"), type_=list[str])

terse_qa = dspy.Predict(Terse)
cited_qa = dspy.ChainOfThought(CitedAnswer)
context_qa = dspy.Predict(WithContext)
