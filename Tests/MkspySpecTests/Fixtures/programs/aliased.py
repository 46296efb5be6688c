import dspy as d
from dspy import ChainOfThought as CoT, Predict
from dspy import InputField as In, OutputField as Out, Signature


class Translate(Signature):
    text = In()
    target_language: str = In(desc="the language to translate into")
    translation = Out()


class Translator(d.Module):
    def __init__(self):
        super().__init__()
        self.translate = CoT(Translate)
        self.check = Predict(Translate.with_instructions("Check the translation."))
        self.polish = d.Predict("translation -> polished_translation")

    def forward(self, text, target_language):
        return self.translate(text=text, target_language=target_language)
