"""An async module: aforward awaits acall on its predictors."""
import asyncio

import dspy


class Summarize(dspy.Signature):
    """Summarize the document in two sentences."""

    document: str = dspy.InputField()
    summary: str = dspy.OutputField()


class AsyncSummarizer(dspy.Module):
    def __init__(self):
        super().__init__()
        self.summarize = dspy.ChainOfThought(Summarize)

    async def aforward(self, document: str):
        result = await self.summarize.acall(document=document)
        return dspy.Prediction(summary=result.summary)


async def main():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    program = AsyncSummarizer()
    documents = ["First report text.", "Second report text."]
    results = await asyncio.gather(*(program.acall(document=d) for d in documents))
    for r in results:
        print(r.summary)


if __name__ == "__main__":
    asyncio.run(main())
