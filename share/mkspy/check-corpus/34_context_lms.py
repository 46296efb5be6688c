"""Using a different LM for one block with dspy.context, and per-module LMs."""
import dspy

fast = dspy.LM("openai/gpt-4o-mini")
strong = dspy.LM("anthropic/claude-sonnet-4-5", max_tokens=4000)
dspy.configure(lm=fast)


class Draft(dspy.Module):
    def __init__(self):
        super().__init__()
        self.draft = dspy.Predict("brief -> text")
        self.polish = dspy.ChainOfThought("text -> polished_text")
        self.polish.set_lm(strong)

    def forward(self, brief):
        text = self.draft(brief=brief).text
        return self.polish(text=text)


writer = Draft()
with dspy.context(lm=strong):
    print(writer(brief="A two-line poem about tea.").polished_text)
