"""ReAct over a class-based signature, wrapped in a module, with async use."""
import asyncio

import dspy


def lookup_order(order_id: str) -> dict:
    """Look up an order by its id."""
    orders = {"A1": {"status": "shipped", "eta": "Tuesday"}}
    return orders.get(order_id, {"status": "unknown"})


class SupportAnswer(dspy.Signature):
    """Answer the customer's question about their order."""

    question: str = dspy.InputField()
    answer: str = dspy.OutputField()


class Support(dspy.Module):
    def __init__(self):
        super().__init__()
        self.agent = dspy.ReAct(SupportAnswer, tools=[lookup_order])

    def forward(self, question):
        return self.agent(question=question)

    async def aforward(self, question):
        return await self.agent.acall(question=question)


async def main():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    support = Support()
    print((await support.acall(question="Where is order A1?")).answer)


if __name__ == "__main__":
    asyncio.run(main())
