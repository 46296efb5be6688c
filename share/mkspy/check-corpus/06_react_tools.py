"""A ReAct agent with two plain-Python tools."""
import dspy


def evaluate_math(expression: str) -> float:
    """Evaluate a mathematical expression."""
    return dspy.PythonInterpreter({}).execute(expression)


def search_wikipedia(query: str) -> list[str]:
    """Return the top abstracts for a query."""
    results = dspy.ColBERTv2(url="http://20.102.90.50:2017/wiki17_abstracts")(query, k=3)
    return [x["text"] for x in results]


react = dspy.ReAct("question -> answer: float", tools=[evaluate_math, search_wikipedia], max_iters=6)

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    pred = react(question="What is 9362158 divided by the year of birth of David Gregory of Kinnairdy castle?")
    print(pred.answer)
