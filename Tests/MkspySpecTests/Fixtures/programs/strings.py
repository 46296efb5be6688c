import dspy


class Summarize(dspy.Module):
    def __init__(self):
        super().__init__()
        self.classify = dspy.Predict("sentence -> sentiment: bool")
        self.count = dspy.ChainOfThought("question, context: list[str] -> answer: int")
        self.summarize = dspy.Predict(dspy.Signature("document -> summary", "Summarize the document in one sentence."))
        self.title = dspy.Predict(dspy.Signature("summary -> headline").with_instructions(
            """
            Write a headline for the summary.

                Keep it under ten words.
            """))
        self.answer = dspy.Predict("context, question -> response, confidence: float")

    def forward(self, sentence, question, context, document):
        summary = self.summarize(document=document).summary
        return self.answer(context=context, question=question)
