"""dspy.Refine retries a module until a reward function is satisfied."""
import dspy


def one_word_answer(args, pred: dspy.Prediction) -> float:
    return 1.0 if len(pred.answer.split()) == 1 else 0.0


qa = dspy.ChainOfThought("question -> answer")
refined = dspy.Refine(module=qa, N=3, reward_fn=one_word_answer, threshold=1.0)
best_of = dspy.BestOfN(module=qa, N=3, reward_fn=one_word_answer, threshold=1.0)

if __name__ == "__main__":
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    print(refined(question="What is the capital of Belgium?").answer)
