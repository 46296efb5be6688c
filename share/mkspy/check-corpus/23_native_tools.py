"""Letting the model choose tool calls with dspy.Tool and dspy.ToolCalls."""
import dspy


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"The weather in {city} is sunny."


def get_population(city: str) -> int:
    """Get the population of a city."""
    return {"Paris": 2100000, "Tokyo": 14000000}.get(city, 0)


class ToolSignature(dspy.Signature):
    """Decide which tools to call to answer the question."""

    question: str = dspy.InputField()
    tools: list[dspy.Tool] = dspy.InputField()
    outputs: dspy.ToolCalls = dspy.OutputField()


tools = {"get_weather": dspy.Tool(get_weather), "get_population": dspy.Tool(get_population)}
predictor = dspy.Predict(ToolSignature)

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    response = predictor(question="What's the weather in Paris?", tools=list(tools.values()))
    for call in response.outputs.tool_calls:
        print(call.execute())
