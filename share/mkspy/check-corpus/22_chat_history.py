"""A conversational module that carries dspy.History between turns."""
import dspy


class Reply(dspy.Signature):
    """Reply to the user, taking the conversation so far into account."""

    question: str = dspy.InputField()
    history: dspy.History = dspy.InputField()
    answer: str = dspy.OutputField()


class Chat(dspy.Module):
    def __init__(self):
        super().__init__()
        self.reply = dspy.Predict(Reply)

    def forward(self, question: str, history: dspy.History):
        return self.reply(question=question, history=history)


if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    chat = Chat()
    history = dspy.History(messages=[])
    for question in ["Who founded Rome?", "When?"]:
        outputs = chat(question=question, history=history)
        history.messages.append({"question": question, **outputs})
        print(outputs.answer)
