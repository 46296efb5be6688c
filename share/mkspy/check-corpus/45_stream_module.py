"""Streaming a custom module's final answer and its status messages."""
import asyncio

import dspy


class Answer(dspy.Module):
    def __init__(self):
        super().__init__()
        self.retrieve_terms = dspy.Predict("question -> terms: list[str]")
        self.respond = dspy.ChainOfThought("question, terms: list[str] -> response")

    def forward(self, question):
        terms = self.retrieve_terms(question=question).terms
        return self.respond(question=question, terms=terms)


class Status(dspy.streaming.StatusMessageProvider):
    def module_start_status_message(self, instance, inputs):
        return f"Running {instance.__class__.__name__}..."


streaming_answer = dspy.streamify(
    Answer(),
    stream_listeners=[dspy.streaming.StreamListener(signature_field_name="response")],
    status_message_provider=Status(),
    async_streaming=True,
)


async def main():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    async for message in streaming_answer(question="What is DSPy?"):
        if isinstance(message, dspy.streaming.StatusMessage):
            print(message.message)
        elif isinstance(message, dspy.Prediction):
            print(message.response)


if __name__ == "__main__":
    asyncio.run(main())
