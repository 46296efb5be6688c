# benign: dspy.Evaluate and names with eval
import dspy


def run_eval(program, devset, metric):
    evaluator = dspy.Evaluate(devset=devset, metric=metric)
    eval_score = evaluator(program)
    return eval_score
