import dspy


class Summarizer(dspy.Module):
    def __init__(self):
        super().__init__()
        self.summarize = dspy.Predict("document -> summary")

    def forward(self, document):
        return self.summarize(document=document)


class Translator(dspy.Module):
    def __init__(self):
        super().__init__()
        self.translate = dspy.ChainOfThought("text, language -> translation")

    def forward(self, text, language):
        return self.translate(text=text, language=language)
